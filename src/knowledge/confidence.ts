/**
 * How sure the search may be of an answer both its readings agree on: a small logistic regression over signals of
 * the agreement (how probable the question model finds the article, how strongly and how fully the index matches it,
 * how far ahead of the next article it is, how long the question is). Its weights are fitted by
 * `npm run tune:search` on questions each index had not learnt from (cross-validation on the train split), so the
 * result reads as "the chance this answer is right".
 */

/** What the search knows about an answer both readings agree on. */
export interface AgreementSignals {
  /** The question model's probability of the article. */
  probability: number;
  /** The index's score of the article. */
  score: number;
  /** The share of the question's word weight the article matches. */
  coverage: number;
  /** 1 − the next article's score / this one's (0 when tied, 1 when alone). */
  margin: number;
  /** How many words the question has after stopwords. */
  words: number;
}

export interface ConfidenceModel {
  bias: number;
  probability: number;
  logScore: number;
  coverage: number;
  margin: number;
  logWords: number;
}

/** The features, in the model's order. */
function featuresOf(s: AgreementSignals): number[] {
  return [1, s.probability, Math.log1p(s.score), s.coverage, s.margin, Math.log1p(s.words)];
}

function weightsOf(m: ConfidenceModel): number[] {
  return [m.bias, m.probability, m.logScore, m.coverage, m.margin, m.logWords];
}

/** The chance (0..1) that the agreed answer is right. */
export function confidence(model: ConfidenceModel, signals: AgreementSignals): number {
  const w = weightsOf(model);
  const z = featuresOf(signals).reduce((sum, x, i) => sum + x * (w[i] ?? 0), 0);
  return 1 / (1 + Math.exp(-z));
}

/**
 * Fits the model by batch gradient descent (deterministic; 3,000 steps, a small L2 penalty). `right` says whether
 * the agreed answer was right.
 */
export function fitConfidence(examples: readonly { signals: AgreementSignals; right: boolean }[]): ConfidenceModel {
  const rows = examples.map((e) => ({ x: featuresOf(e.signals), y: e.right ? 1 : 0 }));
  const w = [0, 0, 0, 0, 0, 0];
  const rate = 0.5;
  const l2 = 1e-3;
  for (let step = 0; step < 3000; step++) {
    const gradient = [0, 0, 0, 0, 0, 0];
    for (const { x, y } of rows) {
      const p = 1 / (1 + Math.exp(-x.reduce((sum, v, i) => sum + v * (w[i] ?? 0), 0)));
      x.forEach((v, i) => (gradient[i]! += (p - y) * v));
    }
    w.forEach((v, i) => (w[i] = v - rate * (gradient[i]! / Math.max(1, rows.length) + (i === 0 ? 0 : l2 * v))));
  }
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    bias: round(w[0]!),
    probability: round(w[1]!),
    logScore: round(w[2]!),
    coverage: round(w[3]!),
    margin: round(w[4]!),
    logWords: round(w[5]!),
  };
}
