/**
 * The programme's definitions in one place: what each indicator counts (flows/programme/indicators.yaml) and the
 * official sangkats of the three khans (flows/data/sangkats.yaml). The results page, the exports, the needs survey
 * and the tests all read these, so a definition shown on the page is the one the figures were made with.
 */
import { join } from "node:path";
import { z } from "zod";
import type { Locale } from "../base/locale.ts";
import { readYamlFile } from "../base/yaml-file.ts";

/** What the rows of an indicator's table are. */
export const ROW_KINDS = ["district", "category", "claim_time", "outcome", "activity", "topic", "need"] as const;
export type RowKind = (typeof ROW_KINDS)[number];

const wording = z.strictObject({
  title: z.string().min(1),
  counts: z.string().min(1),
  unique: z.string().min(1),
  period: z.string().min(1),
});

const indicator = z.strictObject({
  id: z.string().regex(/^[a-z][a-z0-9_]*$/),
  /** The programme's target, when it has one. */
  target: z.number().int().positive().optional(),
  /** What the target counts when it is not the table's total (migration law: different sangkats). */
  target_counts: z.literal("communities").optional(),
  rows: z.enum(ROW_KINDS),
  km: wording,
  en: wording,
});

const indicatorsFile = z.strictObject({
  version: z.number().int().positive(),
  updated: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  changes: z.array(z.strictObject({ version: z.number().int(), date: z.string(), what: z.string() })),
  indicators: z.array(indicator).min(1),
});

export type IndicatorDefinition = z.infer<typeof indicator>;
export type IndicatorWording = z.infer<typeof wording>;

export interface IndicatorSet {
  version: number;
  updated: string;
  indicators: readonly IndicatorDefinition[];
  /** The definition by id. @throws when there is none (a programming error: ids are fixed in code). */
  byId: (id: string) => IndicatorDefinition;
}

const place = { km: z.string().min(1), en: z.string().min(1) };
const sangkatsFile = z.object({
  version: z.number().int().positive(),
  checked: z.string(),
  sources: z.array(z.object({ url: z.string().url(), about: z.string() })).min(1),
  khans: z
    .array(
      z.object({
        id: z.enum(["prek_pnov", "russey_keo", "chbar_ampov"]),
        ...place,
        sangkats: z.array(z.object({ id: z.string().regex(/^[a-z0-9_]+$/), ...place, code: z.string().optional() })),
      }),
    )
    .length(3),
});

export type Khan = z.infer<typeof sangkatsFile>["khans"][number];
export type Sangkat = Khan["sangkats"][number];

export interface Places {
  khans: readonly Khan[];
  sources: readonly { url: string; about: string }[];
  checked: string;
  khan: (id: string) => Khan | undefined;
  sangkat: (id: string) => (Sangkat & { khan: Khan["id"] }) | undefined;
}

/** Reads flows/programme/indicators.yaml. @throws {SpeanError} SPEAN_CONTENT_INVALID when malformed. */
export function loadIndicators(flowsDir: string): IndicatorSet {
  const file = readYamlFile(join(flowsDir, "programme", "indicators.yaml"), indicatorsFile, "indicators.yaml");
  const ids = new Map(file.indicators.map((i) => [i.id, i]));
  return {
    version: file.version,
    updated: file.updated,
    indicators: file.indicators,
    byId(id) {
      const found = ids.get(id);
      if (!found) throw new Error(`no indicator "${id}" in flows/programme/indicators.yaml`);
      return found;
    },
  };
}

/** Reads flows/data/sangkats.yaml. @throws {SpeanError} SPEAN_CONTENT_INVALID when malformed. */
export function loadPlaces(flowsDir: string): Places {
  const file = readYamlFile(join(flowsDir, "data", "sangkats.yaml"), sangkatsFile, "flows/data/sangkats.yaml");
  const sangkats = new Map(file.khans.flatMap((k) => k.sangkats.map((s) => [s.id, { ...s, khan: k.id }] as const)));
  return {
    khans: file.khans,
    sources: file.sources,
    checked: file.checked,
    khan: (id) => file.khans.find((k) => k.id === id),
    sangkat: (id) => sangkats.get(id),
  };
}

/** A place's name in `locale`. */
export function placeName(place: { km: string; en: string }, locale: Locale): string {
  return place[locale];
}
