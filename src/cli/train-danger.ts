/**
 * `npm run train:danger`: trains the danger classifier's statistical model on the corpus's train and dev splits
 * (src/safety/training.ts; never test) and writes flows/safety/model.json. Deterministic: the same corpus and
 * lexicon give the same file.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PROJECT_ROOT } from "../content/load.ts";
import { compileLexicon, loadConceptForms } from "../safety/lexicon.ts";
import { fileOfModel } from "../safety/model.ts";
import { trainOnSplits } from "../safety/training.ts";

const lexicon = compileLexicon(loadConceptForms(join(PROJECT_ROOT, "flows")));
const model = trainOnSplits(PROJECT_ROOT, lexicon);
const path = join(PROJECT_ROOT, "flows", "safety", "model.json");
writeFileSync(path, `${JSON.stringify(fileOfModel(model))}\n`);
const size = model.danger.weights.size;
console.log(
  `trained on ${model.trainedOn.examples} messages (${model.trainedOn.danger} danger) of ${model.trainedOn.corpus}; ` +
    `${size} danger weights; wrote flows/safety/model.json`,
);
