/**
 * `npm run train:danger`: trains the danger classifier's statistical model on the corpus's train split only and
 * writes flows/safety/model.json. Deterministic: the same corpus and lexicon give the same file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../content/load.ts";
import { analyse } from "../safety/classifier.ts";
import { readSplit } from "../safety/corpus.ts";
import { compileLexicon, loadConceptForms } from "../safety/lexicon.ts";
import { trainModel } from "../safety/model.ts";

const lexicon = compileLexicon(loadConceptForms(join(PROJECT_ROOT, "flows")));
const train = readSplit(PROJECT_ROOT, "train");
const examples = train.map((entry) => ({
  feats: analyse(entry.text, lexicon).feats,
  danger: entry.label === "danger",
  ...(entry.label === "danger" ? { kind: entry.kind } : {}),
}));
const model = trainModel(examples, "test/fixtures/danger-corpus/train.yaml");
const path = join(PROJECT_ROOT, "flows", "safety", "model.json");
writeFileSync(path, `${JSON.stringify(model)}\n`);
const size = Object.keys(model.danger.weights).length;
console.log(
  `trained on ${examples.length} messages (${model.trainedOn.danger} danger); ` +
    `${size} danger weights; wrote flows/safety/model.json`,
);
