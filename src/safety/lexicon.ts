/**
 * The concept lexicon (flows/safety/concepts.yaml) compiled for matching: every form becomes a key, the way the
 * tagger will see the words of a message joined together, so that matching is a map look-up per word span.
 */
import { join } from "node:path";
import { z } from "zod";
import { readYamlFile } from "../base/yaml-file.ts";
import { tokenize } from "../khmer/normalize.ts";
import { romanFold } from "../khmer/romanised.ts";

const forms = z.array(z.union([z.string(), z.number()]).transform(String)).default([]);
const conceptsFile = z.strictObject({
  concepts: z.record(z.string().regex(/^[a-z_]+$/), z.strictObject({ km: forms, en: forms, rom: forms })),
});

export type ConceptForms = z.infer<typeof conceptsFile>["concepts"];

export interface Lexicon {
  /** Khmer and English forms by key (words joined without spaces, English lower-cased without apostrophes). */
  readonly exact: ReadonlyMap<string, readonly string[]>;
  /** Romanised forms by key (each Latin word folded with {@link romanFold}, joined). */
  readonly romanised: ReadonlyMap<string, readonly string[]>;
  /** The most words a form spans. */
  readonly maxWords: number;
  /**
   * Khmer forms of act concepts (and the neutral forms that hide them), longest first, for finding an act inside a
   * word the segmenter cut wrongly (ប៉ាវាយខ្ញុំ → ប៉ាវា|យ|ខ្ញុំ): see tagger.ts.
   */
  readonly inWord: ReadonlyMap<string, readonly { key: string; concepts: readonly string[] }[]>;
  /** Every concept named in the file. */
  readonly concepts: ReadonlySet<string>;
  /** Every Latin word of the English and romanised forms, lower-case, with common English words (run-together.ts). */
  readonly latinWords: ReadonlySet<string>;
}

/** Reads flows/safety/concepts.yaml under `flowsDir`. @throws {SpeanError} SPEAN_CONTENT_INVALID when malformed. */
export function loadConceptForms(flowsDir: string): ConceptForms {
  return readYamlFile(join(flowsDir, "safety", "concepts.yaml"), conceptsFile, "flows/safety/concepts.yaml").concepts;
}

/** A word as the exact map keys it: Latin lower-cased with apostrophes and other marks removed, Khmer as it is. */
export function exactWord(word: string): string {
  return /[a-z]/i.test(word) ? word.toLowerCase().replace(/[^a-z0-9]/g, "") : word;
}

/**
 * Common English words that are never romanised Khmer: folded, they would collide with Khmer words ("the" folds
 * like ថា "tha", "at" is អត់ "at"), so they are matched as English only.
 */
const ENGLISH_ONLY = new Set(
  (
    "a an the at to of in on is it its and or but for with as be by from this that these those was were " +
    "am are has have had will would can could do does did my your his her our their me him them you i we " +
    "they so if not no yes please thanks thank ok okay what when where who why how which there here then " +
    "than too very just only also about after before into out up down over under again all any some"
  ).split(" "),
);

/** A word as the romanised map keys it: Latin words folded (common English words are not), anything else as it is. */
export function romanisedWord(word: string): string {
  if (!/[a-z]/i.test(word)) return word;
  const lower = word.toLowerCase().replace(/[^a-z0-9]/g, "");
  return ENGLISH_ONLY.has(lower) ? `\u0000${lower}` : romanFold(word);
}

/** Concepts whose Khmer forms are also looked for inside mis-segmented words (acts, means and states, not people). */
const IN_WORD_CONCEPTS = new Set([
  "hit",
  "sexual",
  "kill",
  "threaten",
  "weapon",
  "suicide",
  "want_die",
  "self_harm",
  "suicide_means",
  "suicide_place",
  "medical_crisis",
  "confine",
  "sold",
  "compound",
  "chase",
  "bad_thing",
  "neglect",
  "grooming",
  "injury",
  "bleeding",
  "neutral",
  "report_other",
  "past",
  "animal",
]);
/** Shorter forms are not looked for inside words (too many false finds). */
const IN_WORD_MIN_CHARS = 3;

/** Compiles the forms. A form that normalises to nothing is skipped. */
export function compileLexicon(concepts: ConceptForms): Lexicon {
  const exact = new Map<string, string[]>();
  const romanised = new Map<string, string[]>();
  let maxWords = 1;
  const add = (map: Map<string, string[]>, words: string[], concept: string) => {
    if (words.length === 0) return;
    maxWords = Math.max(maxWords, words.length);
    const key = words.join("");
    const list = map.get(key) ?? [];
    if (!list.includes(concept)) list.push(concept);
    map.set(key, list);
  };
  // The Latin words of every English and romanised form, with the common English words (run-together.ts).
  const latinWords = new Set(ENGLISH_ONLY);
  const addLatin = (words: string[]) => {
    for (const word of words) {
      const lower = exactWord(word);
      if (/^[a-z]{2,}$/.test(lower)) latinWords.add(lower);
    }
    return words;
  };
  for (const [concept, { km, en, rom }] of Object.entries(concepts)) {
    for (const form of km) add(exact, tokenize(form), concept);
    for (const form of en) add(exact, addLatin(tokenize(form)).map(exactWord), concept);
    for (const form of rom) add(romanised, addLatin(tokenize(form)).map(romanisedWord), concept);
  }
  // By first letter, longest first, so that a syllable start is checked against the forms that can start there.
  const inWord = new Map<string, { key: string; concepts: readonly string[] }[]>();
  const eligible = [...exact.entries()].filter(
    ([key, list]) =>
      /^[\u1780-\u17ff]+$/.test(key) &&
      [...key].length >= IN_WORD_MIN_CHARS &&
      list.some((c) => IN_WORD_CONCEPTS.has(c)),
  );
  for (const [key, concepts] of eligible.sort(([a], [b]) => b.length - a.length)) {
    const list = inWord.get(key[0]!) ?? [];
    list.push({ key, concepts });
    inWord.set(key[0]!, list);
  }
  return {
    exact,
    romanised,
    maxWords,
    inWord,
    concepts: new Set(Object.keys(concepts)),
    latinWords,
  };
}
