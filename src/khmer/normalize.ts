/**
 * The Khmer text pipeline for search and safety-word matching: what a resident types is reduced to a list of word
 * tokens that can be compared with articles and phrase lists. Residents type without spaces, with invisible
 * zero-width characters, Khmer digits, common spelling variants and a few English or romanised words; all of these
 * must land on the same tokens. Every function here is pure and total: it never throws, whatever the input.
 */
import { normalizeForMatch } from "./text.ts";

/**
 * Spelling variants folded to one form. Each rule's output never matches any rule again, so folding is
 * idempotent. Sources: the glossary in shared/research/cambodia-facts.md and common typing habits.
 */
const VARIANT_RULES: readonly [RegExp, string][] = [
  // Coeng DA and coeng TA are written interchangeably (បណ្ដុះ / បណ្តុះ, ស្ដី / ស្តី): fold to coeng TA.
  [/\u17d2\u178a/g, "\u17d2\u178f"],
  // Coeng RO belongs after the other subscript in a cluster; ស្រ្តី is a frequent typing of ស្ត្រី.
  [/\u17d2\u179a(\u17d2[\u1780-\u17a2])/g, "$1\u17d2\u179a"],
  // ត្រឡប់ / ត្រលប់ (back, return).
  [/ត្រឡប់/g, "ត្រលប់"],
  // ច័ន្ទ / ចន្ទ (Monday).
  [/ច័ន្ទ/g, "ចន្ទ"],
  // ឲ្យ / ឱ្យ / អោយ (to give, to let).
  [/ឱ្យ|អោយ/g, "ឲ្យ"],
  // Chat spellings of ខ្ញុំ (I): ខ្ញំ, ខ្នុំ, ខ្ញុ, and ញុំ on its own.
  [/ខ្ញំ|ខ្នុំ/g, "ខ្ញុំ"],
  [/ខ្ញុ(?!ំ)/g, "ខ្ញុំ"],
  [/(?<!ខ្)ញុំ/g, "ខ្ញុំ"],
  // Common spellings: ប៉ូលីស (police), ឥលូវ/អីលូវ/អេលូវ (now).
  [/ប៉ូលីស/g, "ប៉ូលិស"],
  [/ឥលូវ|អីលូវ|អេលូវ/g, "ឥឡូវ"],
  // ចាក់សោរ is a frequent misspelling of ចាក់សោ (to lock).
  [/ចាក់សោរ/g, "ចាក់សោ"],
  // Pre-reform spelling writes a nikahit where today's writes MO and a subscript before LO or RO: សំលាប់ / សម្លាប់
  // (kill), តំលៃ / តម្លៃ (price), សំរាប់ / សម្រាប់ (for), កំលាំង / កម្លាំង (strength), សំរាល / សម្រាល (give birth).
  [/([\u1780-\u17a2])\u17c6([\u179a\u179b])/g, "$1\u1798\u17d2$2"],
  // Common misspellings and chat spellings: ទូរសព្ទ (telephone), ពត៌មាន / ពត័មាន (information), សង្កាត without its
  // final sign (sangkat), ប៉ុនម៉ាន / បុន្មាន (how much).
  [/ទូរសព្ទ/g, "ទូរស័ព្ទ"],
  [/ពត៌មាន|ពត័មាន|ព័តមាន/g, "ព័ត៌មាន"],
  [/សង្កាត(?!\u17cb)/g, "សង្កាត់"],
  [/ប៉ុនម៉ាន|បុន្មាន/g, "ប៉ុន្មាន"],
  // ប័ណ្ណ (card) typed without its subscript: ប័ណក្រីក្រ, ប័ណសមធម៌.
  [/ប័ណ(?!\u17d2)/g, "ប័ណ្ណ"],
  // A letter held down (ជួយយយយ, helppp): three or more of the same letter become one.
  [/([\p{L}])\1{2,}/gu, "$1"],
  // The repetition mark (ផ្សេងៗ) adds nothing to the meaning of a question. It ends a word, so it becomes a space:
  // deleting it could join what stood around it into something an earlier step folds (ក.ៗក → ក.ក → កក).
  [/ៗ/g, " "],
];

/**
 * Normalises text for search: {@link normalizeForMatch} (NFC, invisible characters removed, Khmer digits made
 * ASCII, spaces folded, Latin lower-cased), dots removed from Khmer abbreviations (ប.ស.ស → បសស), digits and Latin
 * words separated from the Khmer they are glued to (ម៉ោង៩ → ម៉ោង 9), and spelling variants folded. Idempotent.
 */
export function normalizeText(text: string): string {
  let result = normalizeForMatch(text)
    // Khmer abbreviations are written with dots (ប.ស.ស for NSSF): the dots go, and the letters become a word.
    .replace(
      /(?:[\u1780-\u17b3][\u17b6-\u17dd]*\.)+[\u1780-\u17b3][\u17b6-\u17dd]*\.?/gu,
      (abbreviation) => ` ${abbreviation.replaceAll(".", "")} `,
    )
    .replace(/(?<=[\p{L}\p{M}])(?=\p{Nd})/gu, " ")
    .replace(/(?<=\p{Nd})(?=\p{L})/gu, " ")
    // Khmer glued to a Latin word (ស្នើសុំidpoor): the segmenter does not split scripts, so a space does.
    .replace(/(?<=[\u1780-\u17ff])(?=[a-z])|(?<=[a-z])(?=[\u1780-\u17ff])/gu, " ");
  for (const [pattern, replacement] of VARIANT_RULES) result = result.replace(pattern, replacement);
  return result.replace(/\s+/gu, " ").trim();
}

const segmenter = new Intl.Segmenter("km", { granularity: "word" });

/** Inputs longer than this are cut before segmenting (a question is short; this bounds the work per message). */
export const MAX_TOKENIZE_CHARS = 2000;

/**
 * Splits text into word tokens: normalised, segmented with Intl.Segmenter("km") (Khmer has no spaces between
 * words), punctuation and symbols dropped. Latin words come out lower-cased, numbers as ASCII digits. Text past
 * `maxChars` (default {@link MAX_TOKENIZE_CHARS}) is not read.
 */
export function tokenize(text: string, maxChars = MAX_TOKENIZE_CHARS): string[] {
  const normal = normalizeText(text.slice(0, maxChars));
  const tokens: string[] = [];
  for (const part of segmenter.segment(normal)) {
    if (part.isWordLike) tokens.push(part.segment);
  }
  return tokens;
}
