/**
 * "Get help" as the flow engine sees it: choosing a need and a district (remembered), the services block, and a
 * referral made only after the resident's clear yes. Runs inside the turn's transaction, so the referral and its
 * staff alert are written together with the resident's answer.
 */
import { createHash } from "node:crypto";
import type { Action, Block } from "../engine/actions.ts";
import type { Locale } from "../base/locale.ts";
import { text } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";
import { localDigits } from "../khmer/digits.ts";
import { type Directory, helpServicesBlock } from "../directory/services.ts";
import type { Desk } from "./desk.ts";
import { type ContactMethod, caseNumber, type SafeTime } from "./store.ts";

export interface HelpFlowOptions {
  directory: Directory;
  desk: Desk;
  translator: Translator;
  districtOf: (chatId: number) => Promise<string | undefined>;
  setDistrict: (chatId: number, district: string) => Promise<void>;
}

/** Needs where someone may be at risk: their referrals are urgent (re-posted after 15 minutes, not 4 hours). */
export const URGENT_CATEGORIES: ReadonlySet<string> = new Set(["violence", "child", "urgent"]);
/** The category of a request made from the emergency screen or after danger words. */
export const URGENT_CATEGORY = "urgent";
const CONTACT_METHODS: readonly ContactMethod[] = ["telegram", "call", "sms"];
const SAFE_TIMES: readonly SafeTime[] = ["morning", "afternoon", "evening", "any"];

/** Words the feature shows outside the flow files (content check makes sure both languages have them). */
export const HELP_TEXT_KEYS = [
  "help.summary",
  "help.summary_phone_given",
  "help.district_not_given",
  "help.services_heading",
  "help.category_urgent",
  "help.category_violence_neutral",
  ...CONTACT_METHODS.map((m) => `help.contact_${m}`),
  ...SAFE_TIMES.map((t) => `help.time_${t}`),
];

/**
 * A need as it is repeated back in the summary and above the services: "violence" is echoed with a neutral
 * label, since these lines stay in the chat history where someone else may scroll.
 */
function categoryEcho(category: string) {
  return text(category === "violence" ? "help.category_violence_neutral" : `help.category_${category}`);
}

/** Conversation variables the feature uses; all cleared once the referral is made. */
const CLEARED = { help_contact: "", help_time: "", help_phone: "" };

/** The consent wording's version: a short hash of the text the resident saw, so a changed text is a new version. */
export function consentVersion(translator: Translator, locale: Locale): string {
  return createHash("sha256")
    .update(translator.render(locale, text("help.consent_explain")))
    .digest("hex")
    .slice(0, 12);
}

export function createHelpFlow(options: HelpFlowOptions) {
  const { directory, desk, translator } = options;

  const chooseNeed: Action = ({ params }) => {
    const category = String(params.category);
    if (!directory.categories.includes(category)) return { outcome: "invalid" };
    return { vars: { help_category: category } };
  };

  const knownDistrict: Action = async ({ chatId }) => {
    const district = await options.districtOf(chatId);
    return district ? { outcome: "known", vars: { help_district: district } } : { outcome: "unknown" };
  };

  const setDistrict: Action = async ({ chatId, params }) => {
    const district = String(params.district);
    if (!directory.districts.includes(district)) return { outcome: "invalid" };
    await options.setDistrict(chatId, district);
    return { vars: { help_district: district } };
  };

  const urgent: Action = async ({ chatId }) => ({
    vars: { help_category: URGENT_CATEGORY, help_district: (await options.districtOf(chatId)) ?? "" },
  });

  const setContact: Action = ({ params }) => {
    const method = String(params.method) as ContactMethod;
    return CONTACT_METHODS.includes(method)
      ? { vars: { help_contact: method, help_phone: "" } }
      : { outcome: "invalid" };
  };

  const setTime: Action = ({ params }) => {
    const time = String(params.time) as SafeTime;
    return SAFE_TIMES.includes(time) ? { vars: { help_time: time } } : { outcome: "invalid" };
  };

  const createReferral: Action = async ({ chatId, locale, vars }) => {
    const existing = await desk.activeReferral(chatId);
    if (existing)
      return { outcome: "exists", vars: { ...CLEARED, help_case: localDigits(locale, caseNumber(existing.id)) } };
    const method = String(vars.help_contact) as ContactMethod;
    const time = String(vars.help_time) as SafeTime;
    const phone = vars.help_phone ? String(vars.help_phone) : undefined;
    if (!CONTACT_METHODS.includes(method) || !SAFE_TIMES.includes(time) || (method !== "telegram" && !phone))
      return { outcome: "incomplete" };
    const category = String(vars.help_category || URGENT_CATEGORY);
    const referral = await desk.createReferral({
      chatId,
      category,
      urgency: URGENT_CATEGORIES.has(category) ? "urgent" : "normal",
      district: vars.help_district ? String(vars.help_district) : undefined,
      consentVersion: consentVersion(translator, locale),
      contact: { method, time, ...(method !== "telegram" && phone ? { phone } : {}) },
    });
    return { vars: { ...CLEARED, help_case: localDigits(locale, caseNumber(referral.id)) } };
  };

  /** What will be sent, for the resident to confirm; the phone number is not repeated on screen. */
  const summary: Block = ({ vars }) => {
    const category = String(vars.help_category || URGENT_CATEGORY);
    return [
      text("help.summary", {
        category: categoryEcho(category),
        district: vars.help_district
          ? text(`help.district_${String(vars.help_district)}`)
          : text("help.district_not_given"),
        method: text(`help.contact_${String(vars.help_contact || "telegram")}`),
        time: text(`help.time_${String(vars.help_time || "any")}`),
        phone: vars.help_phone ? text("help.summary_phone_given") : "",
      }),
    ];
  };

  /** "Services for: legal problem · Russey Keo" above the cards. */
  const services = helpServicesBlock(directory);
  const servicesWithHeading: Block = async (ctx) => [
    text("help.services_heading", {
      category: categoryEcho(String(ctx.vars.help_category)),
      district: text(`help.district_${String(ctx.vars.help_district || "elsewhere")}`),
    }),
    ...(await services(ctx)),
  ];

  return {
    actions: new Map<string, Action>([
      ["help_choose", chooseNeed],
      ["help_district_known", knownDistrict],
      ["help_set_district", setDistrict],
      ["help_urgent", urgent],
      ["help_set_contact", setContact],
      ["help_set_time", setTime],
      ["help_create_referral", createReferral],
    ]),
    blocks: new Map<string, Block>([
      ["help_services", servicesWithHeading],
      ["help_summary", summary],
    ]),
  };
}
