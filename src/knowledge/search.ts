/**
 * Question answering over the articles: BM25 over the body's word tokens and adjacent-word pairs (so that a
 * compound the segmenter splits, such as អត្តសញ្ញាណ + ប័ណ្ណ, still counts as one phrase), with synonym groups
 * folded to one term, plus a bonus for each term found in an article's title or keywords. Both languages of an
 * article are indexed together, so a Khmer question with an English word in it still finds its article.
 */
import { tokenize } from "../khmer/normalize.ts";

export interface SearchDocument {
  id: string;
  /** Titles in every language. */
  titles: string[];
  keywords: string[];
  /** Body text in every language. */
  bodies: string[];
}

export interface SearchHit {
  id: string;
  score: number;
  /** The share (0..1) of the question's word weight (idf) this article matches; unknown words weigh most. */
  coverage: number;
}

export interface SearchResult {
  /** Best first, at most `limit`. */
  hits: SearchHit[];
  /** Whether the best hit is good enough to answer with. */
  confident: boolean;
}

export interface SearchOptions {
  synonyms?: string[][];
  stopwords?: string[];
  /** The best hit's score must reach this to answer (default {@link DEFAULT_THRESHOLD}). */
  threshold?: number;
  /**
   * The best hit must match at least this share of the question's words (default {@link DEFAULT_MIN_COVERAGE}),
   * unless its score reaches `strongScore` (default {@link DEFAULT_STRONG_SCORE}): a long question with many
   * words the articles do not use can still clearly be about one article.
   */
  minCoverage?: number;
  strongScore?: number;
}

/** Both tuned with `npm run eval:search` on test/fixtures/search-eval.yaml (see README). */
export const DEFAULT_THRESHOLD = 3;
export const DEFAULT_MIN_COVERAGE = 0.5;
export const DEFAULT_STRONG_SCORE = 6;

/** A term found in an article's title or keywords adds this many times its idf, on top of its body score. */
const KEY_BONUS = 1.5;
/** Adjacent-word pairs count this much more than single words (a matched phrase is stronger evidence). */
const PAIR_WEIGHT = 1.5;
const K1 = 1.2;
const B = 0.5;

export interface SearchIndex {
  search(question: string, limit?: number): SearchResult;
  /** The terms a question becomes (for tests and the evaluation report). */
  termsOf(question: string): string[];
  readonly size: number;
}

/** Builds the index. Cost grows with the text indexed; a search visits only the postings of the question's terms. */
export function createSearchIndex(documents: SearchDocument[], options: SearchOptions = {}): SearchIndex {
  const threshold = options.threshold ?? DEFAULT_THRESHOLD;
  const minCoverage = options.minCoverage ?? DEFAULT_MIN_COVERAGE;
  const strongScore = options.strongScore ?? DEFAULT_STRONG_SCORE;
  const synonyms = options.synonyms ?? [];
  const fold = createSynonymFolder(synonyms);
  const stop = new Set((options.stopwords ?? []).flatMap((w) => tokenize(w).map(stem)));
  // Words the search knows, for splitting a Khmer token the segmenter left whole (ជំពាក់បំណុល → ជំពាក់ + បំណុល).
  const known = new Set<string>(
    [...synonyms.flat(), ...documents.flatMap((d) => [...d.titles, ...d.keywords, ...d.bodies])].flatMap((t) =>
      tokenize(t).map(stem),
    ),
  );

  // Per term, the documents that have it: how often in the body, and whether in the title or keywords.
  const postings = new Map<string, { doc: number; body: number; key: boolean }[]>();
  const lengths: number[] = [];
  documents.forEach((document, doc) => {
    const body = new Map<string, number>();
    const key = new Set<string>();
    for (const text of document.bodies)
      for (const term of termsOfText(text)) body.set(term.text, (body.get(term.text) ?? 0) + 1);
    for (const text of [...document.titles, ...document.keywords])
      for (const term of termsOfText(text)) key.add(term.text);
    for (const term of new Set([...body.keys(), ...key])) {
      const list = postings.get(term) ?? [];
      list.push({ doc, body: body.get(term) ?? 0, key: key.has(term) });
      postings.set(term, list);
    }
    lengths.push([...body.values()].reduce((a, b) => a + b, 0));
  });
  const averageLength = lengths.reduce((a, b) => a + b, 0) / Math.max(1, lengths.length);
  const idf = (term: string) => {
    const df = postings.get(term)?.length ?? 0;
    return Math.log(1 + (documents.length - df + 0.5) / (df + 0.5));
  };

  /** Words (split where unknown, stemmed, synonyms folded, stopwords dropped) and adjacent pairs, each weighted. */
  function termsOfText(text: string): { text: string; weight: number }[] {
    const words = fold(
      tokenize(text).flatMap((t) => (known.has(stem(t)) ? [stem(t)] : splitKnown(stem(t), known))),
    ).filter((w) => !stop.has(w));
    const terms = words.map((w) => ({ text: w, weight: 1 }));
    for (let i = 1; i < words.length; i++) terms.push({ text: `${words[i - 1]} ${words[i]}`, weight: PAIR_WEIGHT });
    return terms;
  }

  function search(question: string, limit = 3): SearchResult {
    const scores = new Map<number, number>();
    const matchedWeight = new Map<number, number>();
    const seen = new Set<string>();
    let questionWeight = 0;
    for (const term of termsOfText(question)) {
      if (seen.has(term.text)) continue;
      seen.add(term.text);
      const termIdf = idf(term.text);
      const single = term.weight === 1;
      if (single) questionWeight += termIdf;
      for (const { doc, body, key } of postings.get(term.text) ?? []) {
        const norm = K1 * (1 - B + (B * (lengths[doc] ?? 0)) / averageLength);
        const bodyScore = (body * (K1 + 1)) / (body + norm);
        scores.set(doc, (scores.get(doc) ?? 0) + termIdf * term.weight * (bodyScore + (key ? KEY_BONUS : 0)));
        if (single) matchedWeight.set(doc, (matchedWeight.get(doc) ?? 0) + termIdf);
      }
    }
    const hits = [...scores]
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, limit)
      .map(([doc, score]) => ({
        id: (documents[doc] as SearchDocument).id,
        score,
        coverage: (matchedWeight.get(doc) ?? 0) / Math.max(questionWeight, 1e-9),
      }));
    const best = hits[0];
    const confident =
      best !== undefined && best.score >= threshold && (best.coverage >= minCoverage || best.score >= strongScore);
    return { hits, confident };
  }

  return { search, termsOf: (q) => termsOfText(q).map((t) => t.text), size: documents.length };
}

/**
 * A light English stemmer, so that "wages", "hitting" and "abused" meet "wage", "hit" and "abuse". Khmer has no
 * inflection and is returned as it is.
 */
export function stem(token: string): string {
  if (!/^[a-z]+$/.test(token) || token.length <= 3) return token;
  if (token.endsWith("ies") && token.length > 4) return `${token.slice(0, -3)}y`;
  if (token.endsWith("ing") && token.length > 5) return undouble(token.slice(0, -3));
  if (token.endsWith("ed") && token.length > 4) return undouble(token.slice(0, -2));
  if (token.endsWith("s") && !token.endsWith("ss")) return token.slice(0, -1);
  return token;
}

function undouble(word: string): string {
  return /([b-df-hj-np-tv-z])\1$/.test(word) ? word.slice(0, -1) : word;
}

/**
 * Splits a Khmer token the segmenter left whole into known words, if known words cover most of it (at least 70%
 * of its characters). Cuts are only made where a new written cluster starts (not before a vowel sign or a
 * subscript). Returns the token itself when no good split exists.
 */
function splitKnown(token: string, known: ReadonlySet<string>): string[] {
  const chars = [...token];
  if (chars.length < 4 || chars.length > 40 || !/^[\u1780-\u17ff]+$/.test(token)) return [token];
  const canCut = (i: number) =>
    i === 0 || i === chars.length || (!/\p{M}/u.test(chars[i] as string) && chars[i - 1] !== "\u17d2");
  // best[i]: the most characters of chars[0..i) covered by known words of length >= 2, and the pieces.
  const best: { covered: number; pieces: string[] }[] = [{ covered: 0, pieces: [] }];
  for (let end = 1; end <= chars.length; end++) {
    let choice = { covered: best[end - 1]?.covered ?? 0, pieces: best[end - 1]?.pieces ?? [] };
    if (canCut(end)) {
      for (let start = 0; start <= end - 2; start++) {
        if (!canCut(start)) continue;
        const piece = chars.slice(start, end).join("");
        const before = best[start];
        if (before && known.has(piece) && before.covered + (end - start) > choice.covered)
          choice = { covered: before.covered + (end - start), pieces: [...before.pieces, piece] };
      }
    }
    best[end] = choice;
  }
  const result = best[chars.length] as { covered: number; pieces: string[] };
  return result.covered >= chars.length * 0.7 && result.pieces.length > 1 ? result.pieces : [token];
}

/**
 * Replaces every synonym (a word or a phrase of several words) by its group's name, longest phrase first. A group's
 * name is its first entry, tokenized and joined with "_" so that it cannot collide with a real word.
 */
function createSynonymFolder(groups: string[][]): (tokens: string[]) => string[] {
  const byFirst = new Map<string, { tokens: string[]; name: string }[]>();
  for (const group of groups) {
    const name = `~${tokenize(group[0] ?? "")
      .map(stem)
      .join("_")}`;
    for (const entry of group) {
      const tokens = tokenize(entry).map(stem);
      const first = tokens[0];
      if (first === undefined) continue;
      const list = byFirst.get(first) ?? [];
      list.push({ tokens, name });
      list.sort((a, b) => b.tokens.length - a.tokens.length);
      byFirst.set(first, list);
    }
  }
  return (tokens) => {
    const out: string[] = [];
    for (let i = 0; i < tokens.length;) {
      const match = byFirst.get(tokens[i] as string)?.find((c) => c.tokens.every((t, k) => tokens[i + k] === t));
      if (match) {
        out.push(match.name);
        i += match.tokens.length;
      } else {
        out.push(tokens[i] as string);
        i += 1;
      }
    }
    return out;
  };
}
