/**
 * Help and referrals as one feature: the "get help" flow (needs, districts, services, consent), and what follows a
 * resident's yes: staff-group alerts with Claim / Resolve, a caseworker's buttons and /cases, conversations relayed
 * through the bot, escalation and the morning digest, and what quick exit and retention do to a case.
 */
import { calendarDateIn, toIsoDate } from "../base/calendar-date.ts";
import type { Locale } from "../base/locale.ts";
import { text } from "../base/reply.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, Feature, IncomingMessage, Interception } from "../features/contract.ts";
import type { InteractionLog } from "../interactions/log.ts";
import { may } from "../features/roles.ts";
import type { StaffStore } from "../staff/store.ts";
import { CASE_SUBJECT, CASEWORK_TEXT_KEYS, type Desk, parseDeskButton } from "./desk.ts";
import { createHelpFlow, HELP_TEXT_KEYS, type HelpFlowOptions } from "./help-flow.ts";
import { caseNumber, type ReferralStore } from "./store.ts";
import type { MediaStore } from "./media-store.ts";
import { createMediaDesk, MEDIA_TEXT_KEYS } from "./media.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { safetyNetLine } from "../safety/screens.ts";

export interface ReferralsFeatureOptions extends HelpFlowOptions {
  desk: Desk;
  /** Voice notes and photos waiting for a person. */
  media: MediaStore;
  outbox: OutboxStore;
  referrals: ReferralStore;
  staff: StaffStore;
  interactions: InteractionLog;
  /** The same danger test the conversation engine uses: danger words still get the bot's answer during a talk. */
  isDanger: (text: string) => boolean;
  /** When the morning digest of open cases is posted (local time). */
  digestTime: { hour: number; minute: number };
  timeZone: string;
  /** The language a resident reads (their choice, or the default). */
  residentLocale: (chatId: number) => Promise<Locale>;
  now: () => number;
}

export function createReferralsFeature(options: ReferralsFeatureOptions): Feature {
  const { desk, referrals, staff, interactions, isDanger, timeZone, now } = options;
  const help = createHelpFlow(options);
  const mediaDesk = createMediaDesk({
    media: options.media,
    desk,
    outbox: options.outbox,
    translator: options.translator,
    interactions,
    safetyNet: safetyNetLine(options.directory),
    districtOf: options.districtOf,
    residentLocale: options.residentLocale,
    now,
  });

  /** A caseworker's button; every press is checked against the presser's role by the desk. */
  async function press(input: ButtonInput): Promise<ButtonOutcome> {
    const button = parseDeskButton(input.data);
    return button
      ? await desk.press(input.userId, button.verb, button.referralId)
      : { notice: { key: "common.expired_short" } };
  }

  /** A staff member's message is relayed to the case they talk with (or whose message they reply to). */
  async function fromStaff(message: IncomingMessage): Promise<Interception | undefined> {
    if (!(await staff.get(message.userId))) return undefined;
    const relayed = await desk.relayFromStaff(message.userId, message);
    return relayed ? { outboxIds: relayed.outboxIds, answerToo: false } : undefined;
  }

  /**
   * While a caseworker talks with a resident, the bot stays quiet: the resident's messages are copied to the
   * caseworker and logged to the case. Danger words are passed on and also get the bot's own answer.
   */
  async function fromResident(message: IncomingMessage): Promise<Interception | undefined> {
    const referral = await referrals.inConversation(message.chatId);
    if (!referral) return undefined;
    const outboxIds = desk.relayFromResident(referral, message);
    const danger = message.kind === "text" && message.text !== undefined && isDanger(message.text);
    if (!danger) {
      // The conversation engine is skipped, so this records what it would have: the message and its id.
      await interactions.record({
        chatId: message.chatId,
        direction: "in",
        kind: message.kind,
        flow: "case",
        node: String(referral.id),
        text: message.text,
        updateId: message.updateId,
      });
      await interactions.rememberMessage(message.chatId, message.messageId, false);
    }
    return { outboxIds: await outboxIds, answerToo: danger };
  }

  return {
    name: "referrals",
    textKeys: [...HELP_TEXT_KEYS, ...CASEWORK_TEXT_KEYS, ...MEDIA_TEXT_KEYS],
    flow: { actions: help.actions, blocks: help.blocks },
    commands: [
      { name: "cases", where: "private", permission: "see_cases", run: ({ userId }) => desk.casesFor(userId) },
    ],
    buttons: [
      { prefix: CALLBACK_PREFIXES.casework, press },
      { prefix: CALLBACK_PREFIXES.person, press: mediaDesk.press },
    ],
    intercept: async (message) =>
      (await fromStaff(message)) ??
      (await fromResident(message)) ??
      // A content member's voice note is a recording to attach (the recordings feature says how), not a resident's.
      (may((await staff.get(message.userId))?.role, "manage_recordings")
        ? undefined
        : await mediaDesk.received(message)),
    jobs: [
      {
        name: "referral-escalation",
        schedule: "* * * * *",
        run: async () => ({ escalated: await desk.escalateDue() }),
      },
      {
        name: "referral-digest",
        schedule: `${options.digestTime.minute} ${options.digestTime.hour} * * *`,
        run: async () => ({ listed: await desk.postDigest(toIsoDate(calendarDateIn(new Date(now()), timeZone))) }),
      },
    ],
    outboxHooks: new Map([
      // Messages about a case (the caseworker's card, relayed messages) let a reply to them find the case.
      [
        CASE_SUBJECT,
        {
          onSent: async (row, messageId) =>
            messageId !== undefined && row.subject
              ? await staff.linkMessage(row.chatId, messageId, row.subject.id)
              : undefined,
        },
      ],
    ]),
    onQuickExit: async (chatId) => {
      // Quick exit deletes the resident's messages, media too: copies of them can no longer be made.
      await options.media.eraseChat(chatId);
      return await desk.residentLeft(chatId);
    },
    describeData: async (chatId) => {
      const active = await referrals.activeForChat(chatId);
      if (!active) return [];
      return [text("privacy.case", { case: caseNumber(active.id), status: text(`casework.status_${active.status}`) })];
    },
    onForget: async (chatId, anonymousId) => {
      const notices = await desk.closedByResident(chatId);
      await referrals.forgetChat(chatId, anonymousId);
      await options.media.eraseChat(chatId);
      return notices;
    },
    purge: async (days) => ({
      referralsErased: await referrals.purge(days),
      mediaIdsErased: await options.media.purge(days),
    }),
  };
}
