/**
 * `npm run eval:danger [-- --split dev|train|test]`: the danger classifier on one corpus split (default test):
 * recall per kind with the fitting number, the danger screen's share, false alarms per near-miss family, number
 * requests, the confusion between outcomes, and (train and dev only) every miss with its reasons. Exit code 1 below
 * the floor that test/unit/danger-classifier.test.ts asserts. The shipped model learnt from train and dev, so dev is
 * measured with a model trained on train alone (about 10 s), the one its thresholds were tuned with.
 */
import { PROJECT_ROOT } from "../content/load.ts";
import { loadContent } from "../content/load.ts";
import { readSplit, SPLITS, type Split } from "../safety/corpus.ts";
import { DANGER_FLOOR, DANGER_TARGET, dangerNumberRules, meetsFloor } from "../safety/floor.ts";
import { evaluateDanger } from "../safety/evaluate.ts";
import { classifierWithoutDev } from "../safety/training.ts";

const at = process.argv.indexOf("--split");
const split = (at > 0 ? process.argv[at + 1] : "test") as Split;
if (!SPLITS.includes(split)) throw new Error(`--split takes one of ${SPLITS.join(", ")}`);
const report = evaluateDanger(readSplit(PROJECT_ROOT, split), classifierFor(split), dangerNumberRules);

/** The shipped classifier, or for dev the same lexicon with a model that never saw dev. */
function classifierFor(split: Split) {
  return split === "dev" ? classifierWithoutDev(PROJECT_ROOT) : loadContent(() => ({})).classifyDanger;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
console.log(`danger classifier on the ${split} split${split === "dev" ? " (model trained on train alone)" : ""}`);
console.log(
  `recall (danger or check-in, fitting number): ${pct(report.recall)}   danger screen: ${pct(report.dangerShare)}`,
);
console.log(`near misses to danger: ${pct(report.falseDanger)}   to check-in: ${pct(report.falseCheck)}`);
console.log(`number requests answered with the numbers: ${report.numbers.answered} / ${report.numbers.total}`);
console.log("\nrecall per kind:");
for (const [kind, s] of Object.entries(report.kinds))
  console.log(
    `  ${kind.padEnd(16)} ${String(s.total).padStart(4)}  ` +
      `caught ${pct(s.caught / s.total).padStart(7)}  danger ${pct(s.danger / s.total).padStart(7)}`,
  );
console.log("\nnear misses per family:");
for (const [family, s] of Object.entries(report.families))
  console.log(
    `  ${family.padEnd(16)} ${String(s.total).padStart(4)}  danger ${String(s.danger).padStart(3)}  ` +
      `check-in ${String(s.check).padStart(3)}  numbers ${String(s.numbers).padStart(3)}`,
  );
console.log("\nconfusion (label → outcome):");
for (const [label, row] of Object.entries(report.confusion))
  console.log(
    `  ${label.padEnd(8)} ${Object.entries(row)
      .map(([o, n]) => `${o} ${n}`)
      .join("  ")}`,
  );
// Test misses are counted, not shown: reading them would be tuning on the split kept for honest figures.
console.log(`\nmisses (${report.misses.length})${split === "test" ? ": listed for train and dev only" : ":"}`);
for (const m of split === "test" ? [] : report.misses)
  console.log(
    `- "${m.text}" (${m.gloss})\n` +
      `    expected ${m.expected}, got ${m.got}${m.kind ? ` (${m.kind})` : ""}; ${m.reasons.join("; ")}`,
  );
process.exitCode = meetsFloor(report) ? 0 : 1;
console.log(`\nfloor ${JSON.stringify(DANGER_FLOOR)}: ${process.exitCode === 0 ? "met" : "NOT met"}`);
console.log(
  `target (issue 11) ${JSON.stringify(DANGER_TARGET)}: ${meetsFloor(report, DANGER_TARGET) ? "met" : "not met yet"}`,
);
