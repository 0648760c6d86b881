/**
 * `npm run eval:split`: adds new evaluation questions (test/fixtures/search-eval/parts/*.yaml, as their writers
 * delivered them) to train.yaml, dev.yaml and test.yaml; the parts can then be deleted. A question's split depends
 * only on its text (see searchSplitOf), so it is split once and never moves, except that questions written by
 * `tuned` (the set the search was first tuned on) always go to train. Duplicate texts are kept once. The dev split is
 * also written as flows/knowledge/examples-dev.yaml, which the shipped search learns from (see KnowledgeBase.dev).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { PROJECT_ROOT } from "../content/load.ts";
import { readYamlFile } from "../base/yaml-file.ts";
import {
  type EvalQuestion,
  evalQuestion,
  OUT_OF_SCOPE,
  readSearchSplit,
  SEARCH_EVAL_DIR,
  searchSplitOf,
} from "../knowledge/eval-set.ts";
import { addParts } from "./add-parts.ts";

/** Questions by this writer were tuned on before the set was split. */
const TUNED = "tuned";

const dir = join(PROJECT_ROOT, SEARCH_EVAL_DIR);
const YAML_STYLE = {
  lineWidth: 0,
  collectionStyle: "block",
  defaultStringType: "QUOTE_DOUBLE",
  defaultKeyType: "PLAIN",
} as const;

/** The dev questions as examples by article, in the format of flows/knowledge/examples.yaml. */
function writeDevExamples(questions: readonly EvalQuestion[]): void {
  const examples: Record<string, string[]> = {};
  for (const q of questions) if (q.a !== OUT_OF_SCOPE) (examples[q.a] ??= []).push(q.q);
  const outOfScope = questions.filter((q) => q.a === OUT_OF_SCOPE).map((q) => q.q);
  const header =
    "# The search evaluation's dev split as examples (see examples.yaml), written by npm run eval:split: the\n" +
    "# shipped search learns from these too, and npm run eval:search -- --split dev leaves them out.\n" +
    "# Do not edit by hand.\n";
  const body = stringify({ examples, out_of_scope: outOfScope }, YAML_STYLE);
  writeFileSync(join(PROJECT_ROOT, "flows", "knowledge", "examples-dev.yaml"), header + body);
}

const part = z.strictObject({ questions: z.array(evalQuestion) });
const counts = addParts({
  dir,
  readSplit: (split) => readSearchSplit(PROJECT_ROOT, split),
  readPart: (path, name) => readYamlFile(path, part, `${SEARCH_EVAL_DIR}/${name}`).questions,
  textOf: (q) => q.q,
  splitOf: (q) => (q.by === TUNED ? "train" : searchSplitOf(q.q)),
  orderOf: (q) => `${q.a}:${q.lang}`,
  writeSplit: (split, questions) => {
    const header =
      `# Knowledge-search evaluation, ${split} split (${questions.length} questions), ` +
      "kept by npm run eval:split (src/cli/split-search-eval.ts).\n" +
      (split === "test"
        ? "# Read only by npm run eval:search and its floor test: never tune words or thresholds on these.\n"
        : "");
    writeFileSync(join(dir, `${split}.yaml`), header + stringify({ questions }, YAML_STYLE));
    if (split === "dev") writeDevExamples(questions);
  },
});
for (const [split, count] of counts) console.log(`${split}: ${count}`);
