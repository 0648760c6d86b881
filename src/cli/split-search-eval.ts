/**
 * `npm run eval:split`: adds new evaluation questions (test/fixtures/search-eval/parts/*.yaml, as their writers
 * delivered them) to train.yaml, dev.yaml and test.yaml; the parts can then be deleted. A question's split depends
 * only on its text (see searchSplitOf), so it is split once and never moves, except that questions written by
 * `tuned` (the set the search was first tuned on) always go to train. Duplicate texts are kept once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { PROJECT_ROOT } from "../content/load.ts";
import { readYamlFile } from "../base/yaml-file.ts";
import { evalQuestion, readSearchSplit, SEARCH_EVAL_DIR, searchSplitOf } from "../knowledge/eval-set.ts";
import { addParts } from "./add-parts.ts";

/** Questions by this writer were tuned on before the set was split. */
const TUNED = "tuned";

const dir = join(PROJECT_ROOT, SEARCH_EVAL_DIR);
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
    const body = stringify(
      { questions },
      { lineWidth: 0, collectionStyle: "block", defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN" },
    );
    writeFileSync(join(dir, `${split}.yaml`), header + body);
  },
});
for (const [split, count] of counts) console.log(`${split}: ${count}`);
