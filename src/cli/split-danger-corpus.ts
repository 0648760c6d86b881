/**
 * `npm run corpus:split`: adds new corpus messages (test/fixtures/danger-corpus/parts/*.yaml, as their writers
 * delivered them) to train.yaml, dev.yaml and test.yaml, then the parts can be deleted. Which split a message goes
 * to depends only on its text (see splitOf), so a message is split once and never moves. Duplicate texts are kept
 * once.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { PROJECT_ROOT } from "../content/load.ts";
import { readYamlFile } from "../base/yaml-file.ts";
import { CORPUS_DIR, corpusEntry, readSplit, splitOf } from "../safety/corpus.ts";
import { addParts } from "./add-parts.ts";

const dir = join(PROJECT_ROOT, CORPUS_DIR);
const counts = addParts({
  dir,
  readSplit: (split) => readSplit(PROJECT_ROOT, split),
  readPart: (path, name) => readYamlFile(path, z.array(corpusEntry), `${CORPUS_DIR}/${name}`),
  textOf: (e) => e.text,
  splitOf: (e) => splitOf(e.text),
  orderOf: (e) => `${e.label}:${e.kind}`,
  writeSplit: (split, entries) => {
    const header =
      `# The danger corpus, ${split} split (${entries.length} messages), ` +
      "kept by npm run corpus:split (src/cli/split-danger-corpus.ts).\n" +
      (split === "test"
        ? "# Read only by npm run eval:danger and its floor test: never tune on these messages.\n"
        : "");
    writeFileSync(join(dir, `${split}.yaml`), header + stringify(entries, { lineWidth: 0 }));
  },
});
for (const [split, count] of counts) console.log(`${split}: ${count}`);
