/**
 * `npm run eval:search [-- --split test|dev|train|all]`: runs one split of the evaluation set
 * (test/fixtures/search-eval/, default the test split) through the danger classifier and the knowledge search, and
 * prints right / not sure / wrong / diverted overall, per topic and per script, plus the danger messages (the
 * danger corpus's same split) that reach the search and get an article outside the safety and trafficking topics.
 * Misses are listed for train and dev only: reading test questions would be tuning on them. Exit code 1 below the
 * floors that test/unit/search-eval.test.ts asserts (SEARCH_FLOORS).
 * `--min-confidence X` tries another confidence bar (default DEFAULT_MIN_CONFIDENCE in src/knowledge/search.ts).
 * The shipped search and danger model also learnt from the dev split, so with dev the index leaves out the dev
 * examples (flows/knowledge/examples-dev.yaml) and the danger classifier's model is trained on train alone.
 */
import { loadContent, PROJECT_ROOT } from "../content/load.ts";
import { dangerMisanswered, dangerOffers, evaluateSearch, share, type Tally } from "../knowledge/evaluate.ts";
import { readSearchSplit, withoutDevExamples } from "../knowledge/eval-set.ts";
import { createSearchIndex, SEARCH_FLOORS, SEARCH_TARGETS, type SearchBar } from "../knowledge/search.ts";
import { SPLITS, type Split } from "../base/split.ts";
import { readSplit } from "../safety/corpus.ts";
import { classifierWithoutDev } from "../safety/training.ts";

const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const splitName = option("--split") ?? "test";
const splits: Split[] = splitName === "all" ? [...SPLITS] : [splitName as Split];
if (!splits.every((s) => SPLITS.includes(s))) throw new Error(`--split must be one of ${SPLITS.join(", ")} or all`);

const content = loadContent(() => ({ retention_days: 90 }));
const minConfidence = option("--min-confidence");
const withDev = splits.includes("dev");
const classifyDanger = withDev ? classifierWithoutDev(PROJECT_ROOT) : content.classifyDanger;
const index =
  minConfidence === undefined && !withDev
    ? content.searchIndex
    : createSearchIndex(
        withDev ? withoutDevExamples(content.searchDocuments, content.knowledge.examples) : content.searchDocuments,
        {
          ...content.searchOptions,
          ...(withDev ? { outOfScope: content.knowledge.outOfScope } : {}),
          ...(minConfidence === undefined ? {} : { minConfidence: Number(minConfidence) }),
        },
      );
const questions = splits.flatMap((s) => readSearchSplit(PROJECT_ROOT, s));
const report = evaluateSearch(questions, content.knowledge, index, classifyDanger, splitName === "all" ? 5 : 1);

const pct = (x: number) => `${(x * 100).toFixed(1)}%`.padStart(6);
const line = (name: string, t: Tally) =>
  `  ${name.padEnd(12)} ${String(t.questions).padStart(4)}  right ${pct(share(t, "right"))}  ` +
  `not sure ${pct(share(t, "none"))}  wrong ${pct(share(t, "wrong"))}  diverted ${pct(share(t, "diverted"))}`;
console.log(`split: ${splits.join("+")}, ${questions.length} questions`);
console.log(line("in scope", report.inScope));
console.log(
  `  of the right, as the article beside the emergency screen: ${report.inScope.rightBesideDanger} ` +
    `(${pct(report.inScope.rightBesideDanger / Math.max(1, report.inScope.questions)).trim()} of in scope)`,
);
console.log(line("out of scope", report.outOfScope).replace("right", "     "));
console.log("per topic:");
for (const t of report.perTopic) console.log(line(t.topic, t.tally));
console.log("per script (in scope):");
for (const l of report.perLang) console.log(line(l.lang, l.tally));
if (!splits.includes("test")) {
  console.log("misses:");
  for (const m of report.misses)
    console.log(`  [${m.outcome}] "${m.question.q}": ${m.question.a}${m.got ? ` -> ${m.got}` : ""}`);
}
const dangerTexts = splits.flatMap((s) =>
  readSplit(PROJECT_ROOT, s)
    .filter((e) => e.label === "danger")
    .map((e) => e.text),
);
const danger = dangerMisanswered(dangerTexts, content.knowledge, index, classifyDanger);
console.log(
  `danger messages (danger corpus, same split) reaching the search: ${danger.passed}; ` +
    `answered outside the safety and trafficking topics: ${danger.misanswered.length}`,
);
if (!splits.includes("test")) for (const m of danger.misanswered) console.log(`  "${m.text}" -> ${m.got}`);
const offers = dangerOffers(dangerTexts, content.knowledge, index, classifyDanger);
const offeredCount = [...offers.offered.values()].reduce((n, texts) => n + texts.length, 0);
console.log(
  `danger messages taken for danger: ${offers.screened}; given an article beside the emergency screen: ` +
    `${offeredCount} (${[...offers.offered].map(([id, texts]) => `${id} ${texts.length}`).join(", ") || "none"})`,
);
if (!splits.includes("test"))
  for (const [id, texts] of offers.offered) for (const text of texts) console.log(`  "${text}" -> ${id}`);
if (report.unknownLabels.length > 0) console.log(`unknown labels: ${report.unknownLabels.join(", ")}`);
if (report.thinArticles.length > 0) console.log(`articles with too few questions: ${report.thinArticles.join(", ")}`);

const meets = (bar: SearchBar) =>
  share(report.inScope, "right") >= bar.right &&
  share(report.inScope, "wrong") <= bar.wrong &&
  share(report.outOfScope, "none") >= bar.outOfScopeNotSure;
const describe = (bar: SearchBar) =>
  `right >= ${pct(bar.right).trim()}, wrong <= ${pct(bar.wrong).trim()}, ` +
  `out of scope not sure >= ${pct(bar.outOfScopeNotSure).trim()}`;
const ok = meets(SEARCH_FLOORS) && report.unknownLabels.length === 0;
console.log(`floor (${describe(SEARCH_FLOORS)}): ${ok ? "met" : "NOT met"}`);
console.log(`target, issue 12 (${describe(SEARCH_TARGETS)}): ${meets(SEARCH_TARGETS) ? "met" : "not met yet"}`);
process.exitCode = ok ? 0 : 1;
