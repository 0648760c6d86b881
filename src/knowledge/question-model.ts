/**
 * A second opinion beside the keyword index: softmax (multinomial logistic) regression over a question's features
 * (its words, word pairs and Khmer letter trigrams, see search.ts), learnt when the index is built from each
 * article's title, keywords and example questions, plus a class for questions the knowledge base does not answer.
 * The search answers only when the index and this model agree (see search.ts): two different readings agreeing is
 * what keeps wrong articles rare.
 *
 * Why regression rather than naive Bayes (used until December 2026): trigrams are far from independent, so naive
 * Bayes grew overconfident with them, while a discriminative model weighs them against each other. On the dev split
 * the regression's probabilities separate right from wrong answers better: the same share of wrong articles with
 * more questions answered (the README's search section has the figures).
 *
 * A weight exists only for a feature and a class that appear together in some example (as naive Bayes counted
 * them), so a question costs its features' rows, not features × classes, and training little more than that
 * per example (plus one bias per class): about 2.5 s for the real articles' 20,000 or so examples, which is why the
 * production build trains it once and keeps it (kept-models.ts). Training is deterministic (a fixed shuffle), so
 * the same content gives the same answers on every machine.
 */

/** The class of questions no article answers. */
export const NO_ARTICLE = "";

export interface Labelled {
  /** An article id, or {@link NO_ARTICLE}. */
  label: string;
  features: readonly string[];
  /** How much this example counts (default 1). */
  weight?: number;
}

export interface Ranked {
  label: string;
  /** The probability of the label (0..1). */
  probability: number;
}

export interface Opinion {
  /** The most probable label (undefined only for a model with no examples). */
  best: Ranked | undefined;
  probability(label: string): number;
}

export interface QuestionModel {
  /** The model's opinion of a question's features. */
  rank(features: readonly string[]): Opinion;
}

/** Passes over the examples; the step shrinks by {@link DECAY} after each (chosen on the dev split). */
const EPOCHS = 10;
const FIRST_STEP = 0.5;
const DECAY = 0.8;
/** A small L2 penalty on the weights, so that a rare feature cannot decide alone. */
const L2 = 1e-4;
/** Biases move slower than weights: the class sizes say little about a new question. */
const BIAS_STEP = 0.1;

/**
 * What a trained model is: its classes, its features in id order, and the weights of the (feature, class) pairs
 * (feature f's classes are at rowClass[rowStart[f] .. rowStart[f + 1]], their weights at the same places).
 */
export interface QuestionModelParts {
  labels: string[];
  features: string[];
  rowStart: Uint32Array;
  rowClass: Uint32Array;
  weights: Float64Array;
  bias: Float64Array;
}

/**
 * Trains the model on the examples; classes with no example are never predicted. The examples are read once, in
 * order, and only their features' ids are kept: a generator that computes each example's features as it is asked
 * keeps the strings of one example alive at a time, not those of thousands.
 */
export function createQuestionModel(examples: Iterable<Labelled>): QuestionModel {
  return questionModelOver(trainQuestionModel(examples));
}

/** Trains as {@link createQuestionModel} does and returns what it learnt, for keeping (see kept-models.ts). */
export function trainQuestionModel(examples: Iterable<Labelled>): QuestionModelParts {
  const { labels, featureIds, rows, rowStart, rowClass } = readExamples(examples);
  const weights = new Float64Array(rowClass.length);
  const bias = new Float64Array(labels.length);
  const scores = new Float64Array(labels.length);
  const model = { rowStart, rowClass, weights, bias };
  const order = rows.map((_, i) => i);
  let step = FIRST_STEP;
  let seed = 1;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    // A fixed-seed shuffle (linear congruential): same content, same model.
    for (let i = order.length - 1; i > 0; i--) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const j = Math.floor((seed / 2 ** 31) * (i + 1));
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    for (const n of order) {
      const row = rows[n]!;
      if (row.ids.length === 0) continue;
      softmax(scores, model, row.ids);
      // Each feature's share of the step shrinks with the number of features, so long examples do not dominate.
      const scale = (row.weight * step) / Math.sqrt(row.ids.length);
      for (const f of row.ids)
        for (let i = rowStart[f] as number; i < (rowStart[f + 1] as number); i++) {
          const c = rowClass[i] as number;
          const error = (scores[c] as number) - (c === row.label ? 1 : 0);
          weights[i]! -= scale * error + step * L2 * (weights[i] as number);
        }
      for (let c = 0; c < bias.length; c++)
        bias[c]! -= BIAS_STEP * row.weight * step * ((scores[c] as number) - (c === row.label ? 1 : 0));
    }
    step *= DECAY;
  }
  return { labels, features: [...featureIds.keys()], rowStart, rowClass, weights, bias };
}

/** The model that a trained (or kept) set of parts describes. */
export function questionModelOver(parts: QuestionModelParts): QuestionModel {
  const { labels } = parts;
  const classOf = new Map(labels.map((label, c) => [label, c]));
  const featureIds = new Map(parts.features.map((feature, f) => [feature, f]));
  const scores = new Float64Array(labels.length);
  return {
    rank(features) {
      // A feature no example had tells nothing.
      softmax(
        scores,
        parts,
        [...new Set(features)].flatMap((f) => featureIds.get(f) ?? []),
      );
      const probabilities = Float64Array.from(scores);
      let top = 0;
      for (let c = 1; c < probabilities.length; c++) if (probabilities[c]! > probabilities[top]!) top = c;
      return {
        best:
          labels.length > 0 ? { label: labels[top] as string, probability: probabilities[top] as number } : undefined,
        probability: (label) => {
          const c = classOf.get(label);
          return c === undefined ? 0 : (probabilities[c] as number);
        },
      };
    },
  };
}

/** Writes into `scores` the probability of every class for features given as ids. */
function softmax(
  scores: Float64Array,
  { rowStart, rowClass, weights, bias }: Pick<QuestionModelParts, "rowStart" | "rowClass" | "weights" | "bias">,
  ids: ArrayLike<number>,
): void {
  scores.set(bias);
  for (let k = 0; k < ids.length; k++) {
    const f = ids[k] as number;
    for (let i = rowStart[f] as number; i < (rowStart[f + 1] as number); i++)
      scores[rowClass[i] as number]! += weights[i] as number;
  }
  let top = -Infinity;
  for (const s of scores) if (s > top) top = s;
  let sum = 0;
  for (let c = 0; c < scores.length; c++) sum += scores[c] = Math.exp((scores[c] as number) - top);
  for (let c = 0; c < scores.length; c++) scores[c]! /= sum;
}

/** One example as training reads it. */
interface Row {
  ids: Uint32Array;
  label: number;
  weight: number;
}

/**
 * Reads the examples: their labels, an id for every feature, each example's distinct feature ids, and the (feature,
 * class) pairs that get a weight, in flat arrays (feature f's classes are at rowStart[f] .. rowStart[f + 1]). An
 * object per pair would keep megabytes alive for the life of the service.
 */
function readExamples(examples: Iterable<Labelled>) {
  const labels: string[] = [];
  const classOf = new Map<string, number>();
  const featureIds = new Map<string, number>();
  const classesOf: Set<number>[] = [];
  const rows: Row[] = [];
  for (const example of examples) {
    let c = classOf.get(example.label);
    if (c === undefined) {
      c = labels.push(example.label) - 1;
      classOf.set(example.label, c);
    }
    const ids = new Set<number>();
    for (const feature of example.features) {
      let f = featureIds.get(feature);
      if (f === undefined) {
        f = featureIds.size;
        featureIds.set(feature, f);
        classesOf.push(new Set());
      }
      ids.add(f);
      classesOf[f]!.add(c);
    }
    rows.push({ ids: Uint32Array.from(ids), label: c, weight: example.weight ?? 1 });
  }
  const rowStart = new Uint32Array(classesOf.length + 1);
  const rowClass = new Uint32Array(classesOf.reduce((sum, classes) => sum + classes.size, 0));
  let e = 0;
  classesOf.forEach((classes, f) => {
    rowStart[f] = e;
    for (const c of classes) rowClass[e++] = c;
  });
  rowStart[classesOf.length] = e;
  return { labels, featureIds, rows, rowStart, rowClass };
}
