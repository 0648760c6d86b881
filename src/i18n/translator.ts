/**
 * Words: every string a person reads lives in locales/<lang>/<file>.json and is addressed as "<file>.<key>".
 * Files whose name starts with "_" (such as _review.json) are notes for translators, not strings.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import i18next, { type i18n } from "i18next";
import { LOCALES, type Locale } from "../base/locale.ts";
import type { TextParam, TextRef } from "../base/reply.ts";
import { SpeanError } from "../base/errors.ts";

export type LocaleTree = { [key: string]: string | LocaleTree };
export type Resources = Record<Locale, LocaleTree>;

export interface Translator {
  /** Renders a text reference in a locale; nested TextRef parameters are rendered first. */
  render(locale: Locale, ref: TextRef): string;
  /** The text of a key (or a text reference) in every locale that has the key. */
  labelsOf(label: string | TextRef): string[];
  /** Whether `key` exists in `locale`. */
  has(locale: Locale, key: string): boolean;
}

/**
 * Reads locales/km/*.json and locales/en/*.json.
 * @throws {SpeanError} SPEAN_LOCALE_INVALID naming the file.
 */
export function loadLocales(dir: string): Resources {
  const resources = {} as Resources;
  for (const locale of LOCALES) {
    const tree: LocaleTree = {};
    const folder = join(dir, locale);
    for (const file of readdirSync(folder)
      .filter((f) => f.endsWith(".json") && !f.startsWith("_"))
      .sort()) {
      try {
        tree[file.slice(0, -".json".length)] = JSON.parse(readFileSync(join(folder, file), "utf8")) as LocaleTree;
      } catch (err) {
        throw new SpeanError("SPEAN_LOCALE_INVALID", `locales/${locale}/${file}: ${(err as Error).message}`);
      }
    }
    resources[locale] = tree;
  }
  return resources;
}

/**
 * Creates a translator over loaded resources. `defaults` gives, per locale, parameters every string may use.
 * Missing keys fall back to the other language, then to the key itself (content check prevents both).
 */
export function createTranslator(
  resources: Resources,
  defaults: (locale: Locale) => Record<string, TextParam> = () => ({}),
): Translator {
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    resources: Object.fromEntries(LOCALES.map((l) => [l, { translation: resources[l] }])),
    lng: "km",
    fallbackLng: ["km", "en"],
    // Messages are sent as plain text (no parse_mode), so nothing needs HTML escaping.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const fixed = Object.fromEntries(LOCALES.map((l) => [l, instance.getFixedT(l)]));
  const defaultParams = Object.fromEntries(LOCALES.map((l) => [l, defaults(l)])) as Record<
    Locale,
    Record<string, TextParam>
  >;

  function render(locale: Locale, ref: TextRef): string {
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries({ ...defaultParams[locale], ...ref.params })) {
      params[name] = Array.isArray(value)
        ? value.map((line) => render(locale, line)).join("\n")
        : typeof value === "object"
          ? render(locale, value)
          : value;
    }
    return String(fixed[locale]?.(ref.key, params));
  }

  function has(locale: Locale, key: string): boolean {
    return instance.exists(key, { lng: locale, fallbackLng: false } as never);
  }

  return {
    render,
    has,
    labelsOf: (label) => {
      const ref = typeof label === "string" ? { key: label } : label;
      return LOCALES.filter((l) => has(l, ref.key)).map((l) => render(l, ref));
    },
  };
}
