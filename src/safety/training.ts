/**
 * What the danger model learns from. The shipped model (flows/safety/model.json) learns from the train and dev
 * splits; the thresholds in src/safety/classifier.ts were tuned on dev with a model trained on train alone, which
 * is what `npm run eval:danger -- --split dev` measures. The test split is never learnt from.
 *
 * Why dev too: on dev, a model trained on 75 % of train against all of it gave recall 95.8 → 96.7 % and false
 * alarms 2.7 → 2.2 % (danger screen) and 8.5 → 7.9 % (check-in) with the same thresholds; dev adds another third.
 */
import { join } from "node:path";
import { analyse, classifierOver, type DangerClassifier } from "./classifier.ts";
import { CORPUS_DIR, type CorpusEntry, readSplit, type Split } from "./corpus.ts";
import { compileLexicon, type Lexicon, loadConceptForms } from "./lexicon.ts";
import { type DangerModel, type TrainingExample, trainModel } from "./model.ts";

/** The splits the shipped model learns from. */
export const MODEL_SPLITS: readonly Split[] = ["train", "dev"];

/** What the model learns from one corpus entry: its features, whether it is danger, and which kind. */
export function trainingExample(entry: CorpusEntry, lexicon: Lexicon): TrainingExample {
  return {
    feats: analyse(entry.text, lexicon).feats,
    danger: entry.label === "danger",
    ...(entry.label === "danger" ? { kind: entry.kind } : {}),
    numbers: entry.label === "numbers",
  };
}

/** The files a model trained on `splits` names as its corpus ("test/fixtures/danger-corpus/train.yaml + ..."). */
export function corpusName(splits: readonly Split[]): string {
  return splits.map((split) => `${CORPUS_DIR}/${split}.yaml`).join(" + ");
}

/** The model trained on `splits` of the corpus under `root` (default {@link MODEL_SPLITS}); about 10 s. */
export function trainOnSplits(root: string, lexicon: Lexicon, splits: readonly Split[] = MODEL_SPLITS): DangerModel {
  const examples = splits.flatMap((split) => readSplit(root, split).map((entry) => trainingExample(entry, lexicon)));
  return trainModel(examples, corpusName(splits));
}

/** The shipped lexicon with a model trained on train alone: how the classifier does on dev (about 10 s). */
export function classifierWithoutDev(root: string): DangerClassifier {
  const lexicon = compileLexicon(loadConceptForms(join(root, "flows")));
  return classifierOver({ lexicon, model: trainOnSplits(root, lexicon, ["train"]) });
}
