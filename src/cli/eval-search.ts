/**
 * `npm run eval:search`: runs the evaluation set (test/fixtures/search-eval.yaml) through the knowledge search and
 * prints top-1 / top-3 accuracy per topic, the confusions and the safety checks. Exit code 1 below the floor that
 * test/unit/search-eval.test.ts asserts. `--threshold N`, `--min-coverage X` and `--strong-score N` try other
 * confidence settings (see src/knowledge/search.ts).
 */
import { join } from "node:path";
import { loadContent, PROJECT_ROOT } from "../content/load.ts";
import { evaluateSearch, readEvalSet } from "../knowledge/evaluate.ts";
import { createSearchIndex } from "../knowledge/search.ts";

const FLOOR = { top1: 0.9, top3: 0.97 };
const content = loadContent(() => ({ retention_days: 90 }));
const option = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : undefined;
};
const tuning = {
  threshold: option("--threshold"),
  minCoverage: option("--min-coverage"),
  strongScore: option("--strong-score"),
};
const searchIndex = Object.values(tuning).some((v) => v !== undefined)
  ? createSearchIndex(content.searchDocuments, {
      synonyms: content.knowledge.synonyms,
      stopwords: content.knowledge.stopwords,
      ...definedOnly(tuning),
    })
  : content.searchIndex;
const report = evaluateSearch(
  readEvalSet(join(PROJECT_ROOT, "test", "fixtures", "search-eval.yaml")),
  content.knowledge,
  searchIndex,
  content.classifyDanger,
);

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(
  `${report.total} questions (${report.counts.km} Khmer, ${report.counts.en} English): ` +
    `top-1 ${pct(report.top1)}, top-3 ${pct(report.top3)}`,
);
for (const t of report.perTopic)
  console.log(
    `  ${t.topic.padEnd(12)} ${String(t.questions).padStart(3)}  ` +
      `top-1 ${pct(t.top1).padStart(6)}  top-3 ${pct(t.top3).padStart(6)}`,
  );
if (report.confusions.length > 0) console.log("confusions:");
for (const c of report.confusions) console.log(`  "${c.question}": expected ${c.expected}, got ${c.got}`);
const lists: [string, unknown[]][] = [
  ["articles without questions", report.uncovered],
  ["danger messages missed", report.missedDanger],
  ["ordinary questions taken for danger", report.falseDanger],
  ["violence questions answered with another topic", report.violenceMisrouted],
  ["off-topic questions answered", report.offTopicAnswered],
];
for (const [name, items] of lists) console.log(`${name}: ${items.length === 0 ? "none" : JSON.stringify(items)}`);
const ok = report.top1 >= FLOOR.top1 && report.top3 >= FLOOR.top3 && lists.every(([, items]) => items.length === 0);
process.exitCode = ok ? 0 : 1;

function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
}
