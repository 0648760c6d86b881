/**
 * `npm run bench:search-compare`: Spean's search against MiniSearch (a well-kept full-text library) on the same
 * articles, the same Khmer tokenizer (a library cannot segment Khmer by itself: it gets Spean's terms), the same
 * examples, and the dev split of the evaluation (the test split is not read; both leave out the dev split's own
 * examples, flows/knowledge/examples-dev.yaml, which the shipped search learns from). MiniSearch answers when its best
 * score reaches a threshold; the threshold is tuned on dev for the fewest wrong answers, as generously to it as
 * possible. Prints right / not sure / wrong and latency for both; bench/README.md keeps the results.
 */
import MiniSearch from "minisearch";
import { loadContent, PROJECT_ROOT } from "../src/content/load.ts";
import { OUT_OF_SCOPE, readSearchSplit, withoutDevExamples } from "../src/knowledge/eval-set.ts";
import { createSearchIndex } from "../src/knowledge/search.ts";
import { classifierWithoutDev } from "../src/safety/training.ts";

const content = loadContent(() => ({}));
const documents = withoutDevExamples(content.searchDocuments, content.knowledge.examples);
const spean = createSearchIndex(documents, { ...content.searchOptions, outOfScope: content.knowledge.outOfScope });
const classifyDanger = classifierWithoutDev(PROJECT_ROOT);
const questions = readSearchSplit(PROJECT_ROOT, "dev").filter((q) => classifyDanger(q.q).outcome !== "danger");
const terms = (text: string) => spean.termsOf(text).filter((t) => !t.includes(" "));

const mini = new MiniSearch({
  fields: ["titles", "keywords", "bodies", "examples"],
  tokenize: (text) => terms(text),
  processTerm: (term) => term,
  searchOptions: { boost: { titles: 3, keywords: 3, examples: 2, bodies: 1 }, prefix: false, fuzzy: false },
});
mini.addAll(
  documents.map((d) => ({
    id: d.id,
    titles: d.titles.join(" "),
    keywords: d.keywords.join(" "),
    bodies: d.bodies.join(" "),
    examples: (d.examples ?? []).join(" "),
  })),
);

interface Tally {
  right: number;
  none: number;
  wrong: number;
  outAnswered: number;
}
const inScope = questions.filter((q) => q.a !== OUT_OF_SCOPE).length;
const outOfScope = questions.length - inScope;
function tally(answer: (q: string) => string | undefined): Tally {
  const t = { right: 0, none: 0, wrong: 0, outAnswered: 0 };
  for (const q of questions) {
    const got = answer(q.q);
    if (q.a === OUT_OF_SCOPE) t.outAnswered += got === undefined ? 0 : 1;
    else if (got === undefined) t.none += 1;
    else if ([q.a, ...(q.also ?? [])].includes(got)) t.right += 1;
    else t.wrong += 1;
  }
  return t;
}
function latency(run: (q: string) => unknown): { p50: number; p99: number } {
  const times: number[] = [];
  for (let round = 0; round < 10; round++)
    for (const q of questions) {
      const started = performance.now();
      run(q.q);
      times.push(performance.now() - started);
    }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

const pct = (n: number, of: number) => `${((100 * n) / of).toFixed(1)}%`.padStart(6);
const line = (name: string, t: Tally, l: { p50: number; p99: number }) =>
  `${name.padEnd(34)} right ${pct(t.right, inScope)}  not sure ${pct(t.none, inScope)}  ` +
  `wrong ${pct(t.wrong, inScope)}` +
  `  out of scope answered ${pct(t.outAnswered, outOfScope)}  p50 ${l.p50.toFixed(3)} ms  p99 ${l.p99.toFixed(3)} ms`;

console.log(`dev split: ${inScope} in scope, ${outOfScope} out of scope (danger-screen questions left out)`);
const speanAnswer = (q: string) => {
  const { hits, confident } = spean.search(q, 1);
  return confident ? hits[0]?.id : undefined;
};
console.log(line("Spean (index + question model)", tally(speanAnswer), latency(speanAnswer)));
const miniTop = (q: string) => mini.search(q)[0];
const best = [1, 2, 4, 6, 8, 12, 16, 24, 32]
  .map((threshold) => {
    const answer = (q: string) => {
      const hit = miniTop(q);
      return hit && hit.score >= threshold ? String(hit.id) : undefined;
    };
    return { threshold, t: tally(answer), answer };
  })
  .filter((c) => c.t.wrong <= tally(speanAnswer).wrong + 1)
  .sort((a, b) => b.t.right - a.t.right)[0];
if (best) console.log(line(`MiniSearch (score >= ${best.threshold})`, best.t, latency(best.answer)));
else console.log("MiniSearch: no threshold keeps wrong answers as low as Spean's");
const always = (q: string) => {
  const hit = miniTop(q);
  return hit ? String(hit.id) : undefined;
};
console.log(line("MiniSearch (always answers)", tally(always), latency(always)));
