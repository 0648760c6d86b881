/**
 * The service directory (flows/data/services.yaml): every service the bot shows, with only SOURCED numbers, each
 * keeping its source, year and last-checked date. Two content blocks read it: the emergency numbers and the
 * services for a need ("Get help").
 */
import { z } from "zod";
import { readYamlFile } from "../base/yaml-file.ts";
import type { Block, BlockContext } from "../engine/actions.ts";
import type { Locale } from "../base/locale.ts";
import { type TextRef, text } from "../base/reply.ts";
import { localDigits } from "../khmer/digits.ts";

const id = z.string().regex(/^[a-z0-9_]+$/);

const service = z.strictObject({
  id,
  icon: z.string().min(1),
  phones: z
    .array(z.string().regex(/^\+?\d[\d ]{2,16}$/, "digits and spaces only (a leading + for foreign numbers)"))
    .min(1),
  /** true only when a source says so; null when no source says either way. */
  free: z.boolean().nullable(),
  /** "always": a source says 24 hours. */
  hours: z.literal("always").optional(),
  audience: z.enum(["women_children", "children_youth"]).optional(),
  /** The address is in the locales (directory.<id>.address). */
  address: z.literal(true).optional(),
  located_in: id.optional(),
  categories: z.array(id).min(1),
  /** Position on the emergency screen. */
  emergency: z.number().int().min(1).optional(),
  status: z.literal("SOURCED", "only numbers marked SOURCED in the research notes may be shown"),
  source: z.strictObject({ title: z.string().min(1), url: z.url(), year: z.number().int().min(1990).nullable() }),
  last_checked: z.iso.date(),
  checked_by_staff: z.iso.date().nullable(),
});

const directoryFile = z
  .strictObject({ districts: z.array(id).min(1), categories: z.array(id).min(1), services: z.array(service).min(1) })
  .superRefine((file, ctx) => {
    const ids = new Set<string>();
    file.services.forEach((s, i) => {
      if (ids.has(s.id))
        ctx.addIssue({ code: "custom", path: ["services", i, "id"], message: `"${s.id}" is used twice` });
      ids.add(s.id);
      for (const c of s.categories)
        if (!file.categories.includes(c))
          ctx.addIssue({ code: "custom", path: ["services", i, "categories"], message: `unknown category "${c}"` });
      if (s.located_in && !file.districts.includes(s.located_in))
        ctx.addIssue({
          code: "custom",
          path: ["services", i, "located_in"],
          message: `unknown district "${s.located_in}"`,
        });
    });
  });

export type Service = z.infer<typeof service>;
export type Directory = z.infer<typeof directoryFile>;

/** Content check warns when an entry was last compared with its source longer ago than this. */
export const LAST_CHECKED_WARN_DAYS = 180;

/** Words the directory shows outside the flow files (content check makes sure both languages have them). */
export const DIRECTORY_TEXT_KEYS = [
  "common.lines",
  "emergency.line",
  "emergency.line_free",
  "emergency.footer",
  "directory.none",
  "directory.footer",
  "directory.card_title",
  "directory.card_phones",
  "directory.card_facts",
  "directory.card_address",
  "directory.card_address_near",
  "directory.card_source",
  "directory.year_unknown",
  "directory.hours_always",
  "directory.free",
  "directory.audience_women_children",
  "directory.audience_children_youth",
  "directory.facts_joined",
] as const;

/**
 * Reads and validates the directory.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID naming the entry and problem.
 */
export function loadDirectory(path: string): Directory {
  return readYamlFile(path, directoryFile, "flows/data/services.yaml");
}

/** The locale keys an entry uses. */
export function serviceKeys(s: Service): string[] {
  return [`directory.${s.id}.name`, `directory.${s.id}.does`, ...(s.address ? [`directory.${s.id}.address`] : [])];
}

/**
 * The emergency screen's block: one entry per emergency service, in order ("🚓 Police (free)", then each number
 * alone on its line, then what it does). `first`
 * names services to list before the others (the ones that fit the danger just found), default none.
 */
export function emergencyNumbersBlock(
  directory: Directory,
  first: (vars: BlockContext["vars"]) => readonly string[] = () => [],
): Block {
  const numbers = directory.services
    .filter((s) => s.emergency !== undefined)
    .sort((a, b) => (a.emergency ?? 0) - (b.emergency ?? 0));
  return ({ vars }) => [
    ...ordered(numbers, first(vars)).map((s) =>
      text(s.free ? "emergency.line_free" : "emergency.line", {
        icon: s.icon,
        name: text(`directory.${s.id}.name`),
        does: text(`directory.${s.id}.does`),
        // Each number alone on its own line, so that a phone offers it as one tap to call.
        phones: s.phones.join("\n"),
      }),
    ),
    text("emergency.footer"),
  ];
}

/** `services` with those named in `first` moved to the front, in that order. */
function ordered(services: Service[], first: readonly string[]): Service[] {
  const rank = (s: Service) => (first.includes(s.id) ? first.indexOf(s.id) : first.length);
  return [...services].sort((a, b) => rank(a) - rank(b));
}

/**
 * The services for one need, those with an office in the resident's district first: one card each.
 * Reads the conversation's `help_category` and `help_district`.
 */
export function helpServicesBlock(directory: Directory): Block {
  return ({ locale, vars }) => {
    const district = String(vars.help_district ?? "");
    const matching = servicesFor(directory, String(vars.help_category ?? ""), district);
    if (matching.length === 0) return [text("directory.none")];
    return [...matching.map((s) => serviceCard(s, district, locale)), text("directory.footer")];
  };
}

/** The services of a category, those located in `district` first, otherwise in file order. */
export function servicesFor(directory: Directory, category: string, district: string): Service[] {
  const inCategory = directory.services.filter((s) => s.categories.includes(category));
  return [
    ...inCategory.filter((s) => s.located_in === district),
    ...inCategory.filter((s) => s.located_in !== district),
  ];
}

function serviceCard(s: Service, district: string, locale: Locale): TextRef {
  const lines: TextRef[] = [
    text("directory.card_title", { icon: s.icon, name: text(`directory.${s.id}.name`) }),
    text(`directory.${s.id}.does`),
    text("directory.card_phones", { phones: s.phones.join(" / ") }),
  ];
  const facts: TextRef[] = [];
  if (s.hours === "always") facts.push(text("directory.hours_always"));
  if (s.free) facts.push(text("directory.free"));
  if (s.audience) facts.push(text(`directory.audience_${s.audience}`));
  if (facts.length > 0) lines.push(text("directory.card_facts", { facts: joined(facts) }));
  if (s.address) {
    const key = s.located_in === district ? "directory.card_address_near" : "directory.card_address";
    lines.push(text(key, { address: text(`directory.${s.id}.address`) }));
  }
  const year = s.source.year === null ? text("directory.year_unknown") : localDigits(locale, s.source.year);
  lines.push(text("directory.card_source", { year, checked: monthYear(s.last_checked, locale) }));
  return text("common.lines", { lines });
}

/** Short facts on one line: "24 hours · free". */
function joined(facts: TextRef[]): TextRef {
  const [first, ...rest] = facts as [TextRef, ...TextRef[]];
  return rest.length === 0 ? first : text("directory.facts_joined", { first, rest: joined(rest) });
}

/** "11/2026" in Latin or Khmer digits: short, and read the same way in both languages. */
function monthYear(isoDate: string, locale: Locale): string {
  const [year, month] = isoDate.split("-");
  return localDigits(locale, `${Number(month)}/${year}`);
}
