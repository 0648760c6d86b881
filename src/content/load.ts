/**
 * Loads everything a conversation is made of: flows (structure), locales (words), data files (emergency
 * numbers), and the registry of actions and blocks that flows may name.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Locale, type Registry, setLocale } from "../engine/actions.ts";
import { type FlowSet, loadFlows } from "../engine/flows.ts";
import type { TextParam } from "../engine/reply.ts";
import { type EmergencyNumber, emergencyNumbersBlock, loadEmergencyNumbers } from "../directory/emergency-numbers.ts";
import { createTranslator, loadLocales, type Resources, type Translator } from "../i18n/translator.ts";

/** The repository root (flows/ and locales/ live there). */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export interface Content {
  flows: FlowSet;
  resources: Resources;
  translator: Translator;
  registry: Registry;
  emergencyNumbers: EmergencyNumber[];
  /** Keys a native speaker still has to review, per locale (locales/<lang>/_review.json). */
  reviewKeys: Record<string, string[]>;
}

/**
 * Loads content from `root` (default: the repository). `defaults` gives, per locale, parameters every string may
 * use (e.g. retention_days).
 * @throws {SpeanError} naming the file and problem when a file is malformed.
 */
export function loadContent(defaults: (locale: Locale) => Record<string, TextParam>, root = PROJECT_ROOT): Content {
  const flows = loadFlows(join(root, "flows"));
  const resources = loadLocales(join(root, "locales"));
  const emergencyNumbers = loadEmergencyNumbers(join(root, "flows", "data", "emergency-numbers.yaml"));
  const registry: Registry = {
    actions: new Map([["set_locale", setLocale]]),
    blocks: new Map([["emergency_numbers", emergencyNumbersBlock(emergencyNumbers)]]),
  };
  const reviewKeys: Record<string, string[]> = {};
  for (const locale of ["km", "en"]) {
    const file = join(root, "locales", locale, "_review.json");
    reviewKeys[locale] = existsSync(file) ? ((JSON.parse(readFileSync(file, "utf8")) as { keys?: string[] }).keys ?? []) : [];
  }
  return { flows, resources, translator: createTranslator(resources, defaults), registry, emergencyNumbers, reviewKeys };
}
