/**
 * `npm run bench:search` (also part of `npm run bench`): knowledge-search latency per question, p50 and p99, over
 * the real articles and over 1,000 synthetic articles made from the real articles' words. The questions are the
 * evaluation set's (test/fixtures/search-eval/, every split: latency does not tune anything), each asked 20 times
 * after a warm-up.
 */
import { loadContent, PROJECT_ROOT } from "../src/content/load.ts";
import { tokenize } from "../src/khmer/normalize.ts";
import { readSearchSplit } from "../src/knowledge/eval-set.ts";
import { SPLITS } from "../src/base/split.ts";
import { createSearchIndex, type SearchDocument, type SearchIndex } from "../src/knowledge/search.ts";

const ROUNDS = 20;
const content = loadContent(() => ({}));
const questions = SPLITS.flatMap((split) => readSearchSplit(PROJECT_ROOT, split)).map((q) => q.q);

/** A deterministic pseudo-random generator, so every run builds the same synthetic articles. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function syntheticDocuments(count: number): SearchDocument[] {
  const words = [
    ...new Set(
      content.searchDocuments.flatMap((d) => [...d.titles, ...d.keywords, ...d.bodies]).flatMap((t) => tokenize(t)),
    ),
  ];
  const next = random(42);
  const pick = (n: number) => Array.from({ length: n }, () => words[Math.floor(next() * words.length)]).join(" ");
  return Array.from({ length: count }, (_, i) => ({
    id: `synthetic_${i}`,
    titles: [pick(3), pick(3)],
    keywords: [pick(2), pick(2), pick(2)],
    bodies: [pick(120), pick(120)],
  }));
}

function measure(index: SearchIndex): { p50: number; p99: number; max: number } {
  for (const q of questions) index.search(q);
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const q of questions) {
      const started = performance.now();
      index.search(q);
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number;
  return { p50: at(0.5), p99: at(0.99), max: times[times.length - 1] as number };
}

const buildStarted = performance.now();
const large = createSearchIndex([...content.searchDocuments, ...syntheticDocuments(1000)], content.searchOptions);
const buildMs = performance.now() - buildStarted;
const real = measure(content.searchIndex);
const synthetic = measure(large);
const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log(`search latency, ${questions.length} questions x ${ROUNDS} rounds (target p99 < 2 ms)`);
console.log(
  `  ${content.searchIndex.size} real articles:        p50 ${ms(real.p50)}, p99 ${ms(real.p99)}, max ${ms(real.max)}`,
);
console.log(
  `  ${large.size} articles (1,000 synthetic): p50 ${ms(synthetic.p50)}, p99 ${ms(synthetic.p99)}, ` +
    `max ${ms(synthetic.max)} (index built in ${buildMs.toFixed(0)} ms)`,
);
