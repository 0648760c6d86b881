/**
 * The danger lexicon kept from the production build. Compiling flows/safety/concepts.yaml (some 7,000 forms, each
 * normalised and segmented) took about 0.2 s of every start of the built service; `npm run build` compiles it once
 * and keeps it in dist/models/ under the SHA-256 of the forms (base/kept-files.ts).
 */
import { keptFiles, type KeptFiles, keyOf } from "../base/kept-files.ts";
import { compileLexicon, type ConceptForms, type Lexicon } from "./lexicon.ts";

/** Bumped when the layout changes: an old file then no longer decodes. */
const FORMAT = "spean-lexicon-2";

/**
 * The compiled lexicon of `forms`: read from `kept` (default: the store set by `useKeptFiles`) when it holds one,
 * otherwise compiled, and kept when the store writes (the build). A damaged file costs a compilation, never the
 * service.
 */
export function lexiconOf(forms: ConceptForms, kept: KeptFiles | undefined = keptFiles()): Lexicon {
  const name = kept && `lexicon-${keyOf(forms)}.json`;
  const bytes = name ? kept.read(name) : undefined;
  if (bytes) {
    try {
      return decodeLexicon(bytes);
    } catch {
      // compiled below instead
    }
  }
  const lexicon = compileLexicon(forms);
  if (name) kept.write?.(name, encodeLexicon(lexicon));
  return lexicon;
}

/** The lexicon as JSON bytes (maps as lists of entries). */
export function encodeLexicon(lexicon: Lexicon): Buffer {
  return Buffer.from(
    JSON.stringify({
      format: FORMAT,
      exact: [...lexicon.exact],
      romanised: [...lexicon.romanised],
      maxWords: lexicon.maxWords,
      inWord: [...lexicon.inWord],
      concepts: [...lexicon.concepts],
      latinWords: [...lexicon.latinWords],
    }),
  );
}

/**
 * Reads bytes written by {@link encodeLexicon}.
 * @throws {Error} when they are not a whole lexicon of this format.
 */
export function decodeLexicon(bytes: Buffer): Lexicon {
  const file = JSON.parse(bytes.toString("utf8")) as Record<string, unknown>;
  const { exact, romanised, maxWords, inWord, concepts, latinWords } = file;
  if (
    file.format !== FORMAT ||
    !isEntries(exact, isStrings) ||
    !isEntries(romanised, isStrings) ||
    typeof maxWords !== "number" ||
    !isEntries(inWord, isInWordList) ||
    !isStrings(concepts) ||
    !isStrings(latinWords)
  )
    throw new Error("not a kept lexicon of this format");
  return {
    exact: new Map(exact),
    romanised: new Map(romanised),
    maxWords,
    inWord: new Map(inWord),
    concepts: new Set(concepts),
    latinWords: new Set(latinWords),
  };
}

type InWordList = { key: string; concepts: string[] }[];

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");

const isInWordList = (value: unknown): value is InWordList =>
  Array.isArray(value) &&
  value.every((v) => typeof v === "object" && v !== null && typeof v.key === "string" && isStrings(v.concepts));

function isEntries<T>(value: unknown, isValue: (v: unknown) => v is T): value is [string, T][] {
  return (
    Array.isArray(value) &&
    value.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === "string" && isValue(e[1]))
  );
}
