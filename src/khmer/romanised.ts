/**
 * Romanised Khmer: Khmer written in Latin letters, as people type it on a phone without a Khmer keyboard. There is
 * no standard spelling ("chuoy", "chouy", "jouy" and "juoy" are all ជួយ), so words are compared after a fold that
 * joins the usual alternatives: letters written twice, an h after a consonant, ch/j, and runs of vowels reduced to
 * one vowel class. Pure and total.
 */

/**
 * Reduces a run of vowels to its class: o/u without e → "o" (ou, uo, oo), e with o/u → "eu" (eu, oe: ើ), any a →
 * "a" (ea, aa), else "e" (e, i, ee). A run of two or more ending in i or y keeps that glide as "i", so that វាយ
 * "vay" (hit) stays apart from វា "vea" (he, it).
 */
function vowelClass(run: string): string {
  const glide = run.length > 1 && /[iy]$/.test(run) ? "i" : "";
  const core = glide ? run.slice(0, -1) : run;
  const hasOU = /[ou]/.test(core);
  if (hasOU && core.includes("e")) return `eu${glide}`;
  if (hasOU) return `o${glide}`;
  if (core.includes("a")) return `a${glide}`;
  return `e${glide}`;
}

/**
 * Folds one Latin word for comparing romanised spellings: lower case, letters only, ch/j → c, an h after a
 * consonant dropped, doubled letters single, vowel runs to one class ("vay", "vai", "veay" → "vai";
 * "vea" → "va"). Words with digits are returned lower-cased only ("117").
 */
export function romanFold(word: string): string {
  const lower = word.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (/\d/.test(lower)) return lower;
  return lower
    .replace(/ch|j/g, "c")
    .replace(/([bcdfgklmnprstvwxz])h/g, "$1")
    .replace(/(.)\1+/g, "$1")
    .replace(/[aeiouy]+/g, vowelClass);
}

/** Romanised spellings by the Khmer word they stand for (flows/knowledge/romanised.yaml). */
export type RomanisedWords = Readonly<Record<string, readonly string[]>>;

/** The key a romanised phrase is looked up by: its Latin words folded with {@link romanFold}, joined by spaces. */
function phraseKey(words: readonly string[]): string {
  return words.map(romanFold).join(" ");
}

const LATIN_WORD = /^[a-z][a-z0-9]*$/;
/** How many folded words a reader remembers before it starts afresh. */
const FOLD_MEMO_SIZE = 50_000;

/**
 * Builds a reader that replaces romanised Khmer in a list of word tokens by the Khmer words it stands for, longest
 * phrase first. `english` holds the Latin words that are also English (or other non-Khmer) words the caller
 * understands: those stay as they are, unless the message has no Khmer script and at least as many of its Latin words
 * are romanised Khmer only as are English only (then "pet" is ពេទ្យ, not a pet). `toTokens` turns a Khmer word into
 * tokens (the caller's tokenizer). Pure.
 * @throws {Error} when one spelling stands for two different Khmer words (a content mistake).
 */
export function createRomanisedReader(
  words: RomanisedWords,
  english: ReadonlySet<string>,
  toTokens: (khmer: string) => string[],
): (tokens: readonly string[]) => string[] {
  const byKey = new Map<string, string[]>();
  const owner = new Map<string, string>();
  let maxWords = 1;
  for (const [khmer, spellings] of Object.entries(words)) {
    for (const spelling of spellings) {
      const parts = spelling.toLowerCase().split(/\s+/).filter(Boolean);
      const key = phraseKey(parts);
      if (owner.has(key) && owner.get(key) !== khmer)
        throw new Error(`romanised "${spelling}" stands for both ${owner.get(key)} and ${khmer}`);
      owner.set(key, khmer);
      byKey.set(key, toTokens(khmer));
      maxWords = Math.max(maxWords, parts.length);
    }
  }
  // Building the search folds every Latin word of some 20,000 example questions, most of them many times over: a
  // memo makes that a lookup. Bounded, because questions bring words without end.
  const folded = new Map<string, string>();
  const fold = (word: string) => {
    let key = folded.get(word);
    if (key === undefined) {
      if (folded.size >= FOLD_MEMO_SIZE) folded.clear();
      key = romanFold(word);
      folded.set(word, key);
    }
    return key;
  };
  const spanKey = (span: readonly string[]) => span.map(fold).join(" ");
  const isRomanised = (token: string) => LATIN_WORD.test(token) && byKey.has(fold(token));
  return (tokens) => {
    const latin = tokens.filter((t) => LATIN_WORD.test(t));
    const romanOnly = latin.filter((t) => isRomanised(t) && !english.has(t)).length;
    const englishOnly = latin.filter((t) => english.has(t) && !isRomanised(t)).length;
    // Someone typing Khmer script uses Latin letters for English words and abbreviations ("OT", "NSSF"); someone
    // typing only Latin letters is writing romanised Khmer if most of their words are.
    const khmerScript = tokens.some((t) => /[\u1780-\u17ff]/.test(t));
    const readAmbiguous = !khmerScript && romanOnly > 0 && romanOnly >= englishOnly;
    const out: string[] = [];
    for (let i = 0; i < tokens.length;) {
      let matched = 0;
      for (let n = Math.min(maxWords, tokens.length - i); n >= 1 && matched === 0; n--) {
        const span = tokens.slice(i, i + n);
        if (!span.every((t) => LATIN_WORD.test(t))) continue;
        const khmer = byKey.get(spanKey(span));
        if (!khmer) continue;
        if (n === 1 && english.has(span[0] as string) && !readAmbiguous) continue;
        out.push(...khmer);
        matched = n;
      }
      if (matched === 0) out.push(tokens[i] as string);
      i += Math.max(1, matched);
    }
    return out;
  };
}
