/**
 * `npm run eval:split`: adds new evaluation questions (test/fixtures/search-eval/parts/*.yaml, as their writers
 * delivered them) to train.yaml, dev.yaml and test.yaml; the parts can then be deleted. A question's split depends
 * only on its text (see searchSplitOf), so it is split once and never moves, except that questions written by
 * `tuned` (the set the search was first tuned on) always go to train. Duplicate texts are kept once.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { PROJECT_ROOT } from "../content/load.ts";
import { readYamlFile } from "../base/yaml-file.ts";
import { SPLITS, type Split } from "../base/split.ts";
import {
  type EvalQuestion,
  evalQuestion,
  readSearchSplit,
  SEARCH_EVAL_DIR,
  searchSplitOf,
} from "../knowledge/eval-set.ts";

/** Questions by this writer were tuned on before the set was split. */
const TUNED = "tuned";

const partsDir = join(PROJECT_ROOT, SEARCH_EVAL_DIR, "parts");
const files = existsSync(partsDir)
  ? readdirSync(partsDir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
  : [];
const existing = (split: Split) =>
  existsSync(join(PROJECT_ROOT, SEARCH_EVAL_DIR, `${split}.yaml`)) ? readSearchSplit(PROJECT_ROOT, split) : [];
const bySplit = new Map(SPLITS.map((s) => [s, existing(s)]));
const seen = new Set([...bySplit.values()].flat().map((e) => e.q));
const part = z.strictObject({ questions: z.array(evalQuestion) });
for (const file of files) {
  const name = `${SEARCH_EVAL_DIR}/parts/${file}`;
  for (const entry of readYamlFile(join(partsDir, file), part, name).questions) {
    if (seen.has(entry.q)) continue;
    seen.add(entry.q);
    bySplit.get(entry.by === TUNED ? "train" : searchSplitOf(entry.q))!.push(entry);
  }
}
const order = (e: EvalQuestion) => `${e.a}:${e.lang}`;
for (const [split, questions] of bySplit) {
  questions.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const header =
    `# Knowledge-search evaluation, ${split} split (${questions.length} questions), ` +
    "kept by npm run eval:split (src/cli/split-search-eval.ts).\n" +
    (split === "test"
      ? "# Read only by npm run eval:search and its floor test: never tune words or thresholds on these.\n"
      : "");
  const body = stringify(
    { questions },
    { lineWidth: 0, collectionStyle: "block", defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" },
  );
  writeFileSync(join(PROJECT_ROOT, SEARCH_EVAL_DIR, `${split}.yaml`), header + body);
  console.log(`${split}: ${questions.length}`);
}
