/**
 * A second opinion beside the keyword index: multinomial naive Bayes over a question's words and word pairs, learnt
 * when the index is built from each article's title, keywords and example questions, plus a class for questions the
 * knowledge base does not answer. The search answers only when the index and this model agree (see search.ts): two
 * different readings agreeing is what keeps wrong articles rare. Building it is counting; a question costs one pass
 * over its features' rows. (Khmer letter trigrams as extra features were tried and lowered held-out accuracy from
 * 77 % to 70 %: they are not independent, so the model grew overconfident.)
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
  /** The posterior probability of the label (0..1), under the model's independence assumption. */
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

/** Laplace smoothing: every feature is seen this many times more in every class. */
const ALPHA = 0.2;

/** Counts the examples; classes with no example are never predicted. */
export function createQuestionModel(examples: readonly Labelled[]): QuestionModel {
  const labels = [...new Set(examples.map((e) => e.label))];
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = new Map<string, Map<number, number>>();
  const totals = new Float64Array(labels.length);
  const priors = new Float64Array(labels.length);
  for (const example of examples) {
    const c = index.get(example.label) as number;
    const weight = example.weight ?? 1;
    priors[c]! += weight;
    for (const feature of example.features) {
      const row = counts.get(feature) ?? new Map<number, number>();
      row.set(c, (row.get(c) ?? 0) + weight);
      counts.set(feature, row);
      totals[c]! += weight;
    }
  }
  const vocabulary = counts.size;
  const priorSum = priors.reduce((a, b) => a + b, 0);
  // Each class's prior is flattened (square root): an article with many examples should not win by count alone.
  const logPrior = [...priors].map((p) => 0.5 * Math.log(p / priorSum));
  // log P(feature | class) for a feature the class never had; a seen feature adds log((n + α) / α) on top. Stored
  // sparsely, so that a question costs its features' rows, not features × classes.
  const logUnseen = [...totals].map((t) => Math.log(ALPHA / (t + ALPHA * vocabulary)));
  // In flat arrays (feature f's classes are at rowStart[f] .. rowStart[f + 1]): an object per entry would keep
  // megabytes alive for the life of the service.
  const featureIds = new Map<string, number>();
  const entries = [...counts.values()].reduce((sum, row) => sum + row.size, 0);
  const rowStart = new Uint32Array(counts.size + 1);
  const rowClass = new Uint32Array(entries);
  const rowDelta = new Float64Array(entries);
  let e = 0;
  for (const [feature, row] of counts) {
    rowStart[featureIds.size] = e;
    featureIds.set(feature, featureIds.size);
    for (const [c, n] of row) {
      rowClass[e] = c;
      rowDelta[e++] = Math.log((n + ALPHA) / ALPHA);
    }
  }
  rowStart[featureIds.size] = e;
  return {
    rank(features) {
      const known = features.flatMap((f) => featureIds.get(f) ?? []); // a feature no class has seen tells nothing
      const scores = logPrior.map((prior, c) => prior + known.length * (logUnseen[c] ?? 0));
      for (const f of known)
        for (let i = rowStart[f] as number; i < (rowStart[f + 1] as number); i++)
          scores[rowClass[i] as number]! += rowDelta[i] as number;
      let top = 0;
      for (let c = 1; c < scores.length; c++) if ((scores[c] ?? 0) > (scores[top] ?? 0)) top = c;
      let sum = 0;
      for (const s of scores) sum += Math.exp(s - (scores[top] ?? 0));
      const probabilityAt = (c: number) => Math.exp((scores[c] ?? 0) - (scores[top] ?? 0)) / sum;
      return {
        best: labels.length > 0 ? { label: labels[top] as string, probability: probabilityAt(top) } : undefined,
        probability: (label) => {
          const c = index.get(label);
          return c === undefined ? 0 : probabilityAt(c);
        },
      };
    },
  };
}
