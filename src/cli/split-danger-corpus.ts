/**
 * `npm run corpus:split`: adds new corpus messages (test/fixtures/danger-corpus/parts/*.yaml, as their writers
 * delivered them) to train.yaml, dev.yaml and test.yaml, then the parts can be deleted. Which split a message goes
 * to depends only on its text (see splitOf), so a message is split once and never moves. Duplicate texts are kept
 * once.
 */
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { z } from "zod";
import { PROJECT_ROOT } from "../content/load.ts";
import { readYamlFile } from "../base/yaml-file.ts";
import { CORPUS_DIR, type CorpusEntry, corpusEntry, readSplit, SPLITS, splitOf } from "../safety/corpus.ts";

const partsDir = join(PROJECT_ROOT, CORPUS_DIR, "parts");
const files = existsSync(partsDir)
  ? readdirSync(partsDir)
      .filter((f) => f.endsWith(".yaml"))
      .sort()
  : [];
const existing = (split: (typeof SPLITS)[number]) =>
  existsSync(join(PROJECT_ROOT, CORPUS_DIR, `${split}.yaml`)) ? readSplit(PROJECT_ROOT, split) : [];
const bySplit = new Map(SPLITS.map((s) => [s, existing(s)]));
const seen = new Set([...bySplit.values()].flat().map((e) => e.text));
for (const file of files) {
  for (const entry of readYamlFile(join(partsDir, file), z.array(corpusEntry), `${CORPUS_DIR}/parts/${file}`)) {
    if (seen.has(entry.text)) continue;
    seen.add(entry.text);
    bySplit.get(splitOf(entry.text))!.push(entry);
  }
}
const order = (e: CorpusEntry) => `${e.label}:${e.kind}`;
for (const [split, entries] of bySplit) {
  entries.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  const header =
    `# The danger corpus, ${split} split (${entries.length} messages), ` +
    "kept by npm run corpus:split (src/cli/split-danger-corpus.ts).\n" +
    (split === "test" ? "# Read only by npm run eval:danger and its floor test: never tune on these messages.\n" : "");
  writeFileSync(join(PROJECT_ROOT, CORPUS_DIR, `${split}.yaml`), header + stringify(entries, { lineWidth: 0 }));
  console.log(`${split}: ${entries.length}`);
}
