/**
 * Latin words typed without spaces ("helpplsmyhusbandhitmenow", "knhomchangsloptov"): a phone keyboard in a hurry,
 * or a habit. The segmenter sees one long word, so no form could match. Such a run is cut into the lexicon's own
 * Latin words (English and romanised Khmer) by the fewest pieces, and only when the words found cover most of it:
 * a name, a link or a code stays one word.
 */

/** Runs shorter than this are left as they are (most real words are). */
export const RUN_MIN_CHARS = 12;
/** The longest word looked for inside a run. */
const WORD_MAX_CHARS = 14;
/** A run is cut only when at most this share of its letters falls outside known words. */
const UNKNOWN_SHARE_MAX = 0.25;
/** The cost of a letter no known word covers, against 1 for a whole known word: known words are preferred. */
const UNKNOWN_LETTER_COST = 1.6;

/**
 * `words` with each long all-Latin run cut into the known words of `vocabulary` (lower-case). Other words, and runs
 * that are not mostly known words, are kept as they are.
 */
export function splitRunTogether(words: readonly string[], vocabulary: ReadonlySet<string>): readonly string[] {
  // Most messages have no such run: they are returned as they are, with nothing allocated.
  if (!words.some((word) => isUnknownRun(word, vocabulary))) return words;
  return words.flatMap((word) =>
    isUnknownRun(word, vocabulary) ? (cutRun(word.toLowerCase(), vocabulary) ?? [word]) : [word],
  );
}

function isUnknownRun(word: string, vocabulary: ReadonlySet<string>): boolean {
  return word.length >= RUN_MIN_CHARS && LATIN_ONLY.test(word) && !vocabulary.has(word.toLowerCase());
}

const LATIN_ONLY = /^[a-zA-Z]+$/;

/** The cheapest cut of `run` into known words and unknown letters, or undefined when too little of it is known. */
function cutRun(run: string, vocabulary: ReadonlySet<string>): string[] | undefined {
  const n = run.length;
  // cost[i]: the cheapest cut of run[0, i); from[i]: where its last piece starts; known[i]: a word, not letters.
  const cost = new Float64Array(n + 1).fill(Infinity);
  const from = new Int32Array(n + 1);
  const known = new Uint8Array(n + 1);
  cost[0] = 0;
  for (let i = 0; i < n; i++) {
    const here = cost[i] as number;
    if (here === Infinity) continue;
    if (here + UNKNOWN_LETTER_COST < (cost[i + 1] as number)) {
      cost[i + 1] = here + UNKNOWN_LETTER_COST;
      from[i + 1] = i;
      known[i + 1] = 0;
    }
    for (let j = i + 2; j <= Math.min(n, i + WORD_MAX_CHARS); j++) {
      if (here + 1 < (cost[j] as number) && vocabulary.has(run.slice(i, j))) {
        cost[j] = here + 1;
        from[j] = i;
        known[j] = 1;
      }
    }
  }
  const pieces: { text: string; known: boolean }[] = [];
  for (let end = n; end > 0; end = from[end] as number)
    pieces.unshift({ text: run.slice(from[end] as number, end), known: known[end] === 1 });
  const unknownLetters = pieces.reduce((sum, p) => sum + (p.known ? 0 : p.text.length), 0);
  if (unknownLetters > n * UNKNOWN_SHARE_MAX) return undefined;
  // Unknown letters next to each other stay together as one word.
  const words: string[] = [];
  let pending = "";
  for (const piece of pieces) {
    if (piece.known) {
      if (pending) words.push(pending);
      pending = "";
      words.push(piece.text);
    } else pending += piece.text;
  }
  if (pending) words.push(pending);
  return words;
}
