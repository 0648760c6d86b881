/**
 * How sure the search may be of an answer: small logistic regressions over what the two readings say of an article
 * (how probable the question model finds it, how strongly and how fully the index matches it, how far ahead of or
 * behind the index's next or best article it is, how long the question is). Two models: one for an article both
 * readings agree on, one for choosing between the index's and the model's best when they disagree. Their weights are
 * fitted by `npm run tune:search` on questions each index had not learnt from (cross-validation on the train split),
 * so the result reads as "the chance this answer is right".
 */

/** What the search knows about an answer both readings agree on. */
export interface AgreementSignals {
  /** The question model's probability of the article. */
  probability: number;
  /** The index's score of the article. */
  score: number;
  /** The share of the question's word weight the article matches. */
  coverage: number;
  /**
   * For the index's best: 1 − the next article's score / this one's (0 when tied, 1 when alone). For another
   * article: its score / the best one's − 1 (0 when tied, −1 when the index does not match it at all).
   */
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

/** What the search knows about either reading's best article when the two readings disagree. */
export interface ChoiceSignals extends AgreementSignals {
  /** The question model's probability that no article answers the question. */
  noArticle: number;
}

export interface ChoiceModel extends ConfidenceModel {
  noArticle: number;
}

/** The chance (0..1) that the agreed answer is right. */
export function confidence(model: ConfidenceModel, signals: AgreementSignals): number {
  return logistic(agreementWeights(model), agreementFeatures(signals));
}

/** The chance (0..1) that one of two disagreeing readings' best articles is right. */
export function choiceConfidence(model: ChoiceModel, signals: ChoiceSignals): number {
  return logistic([...agreementWeights(model), model.noArticle], choiceFeatures(signals));
}

/**
 * Fits the agreement model by batch gradient descent (deterministic; 3,000 steps, a small L2 penalty). `right` says
 * whether the agreed answer was right.
 */
export function fitConfidence(examples: readonly { signals: AgreementSignals; right: boolean }[]): ConfidenceModel {
  const w = fitWeights(
    examples.map((e) => ({ x: agreementFeatures(e.signals), y: e.right ? 1 : 0 })),
    AGREEMENT_FEATURES,
  );
  return namedWeights(w);
}

/** Fits the choice model the same way, from both readings' best articles of questions where they disagreed. */
export function fitChoice(examples: readonly { signals: ChoiceSignals; right: boolean }[]): ChoiceModel {
  const w = fitWeights(
    examples.map((e) => ({ x: choiceFeatures(e.signals), y: e.right ? 1 : 0 })),
    AGREEMENT_FEATURES + 1,
  );
  return { ...namedWeights(w), noArticle: round(w[AGREEMENT_FEATURES]!) };
}

/** How many features the agreement model has (the bias counted). */
const AGREEMENT_FEATURES = 6;

/** The features, in the model's order. */
function agreementFeatures(s: AgreementSignals): number[] {
  return [1, s.probability, Math.log1p(s.score), s.coverage, s.margin, Math.log1p(s.words)];
}

function choiceFeatures(s: ChoiceSignals): number[] {
  return [...agreementFeatures(s), s.noArticle];
}

function agreementWeights(m: ConfidenceModel): number[] {
  return [m.bias, m.probability, m.logScore, m.coverage, m.margin, m.logWords];
}

function namedWeights(w: readonly number[]): ConfidenceModel {
  return {
    bias: round(w[0]!),
    probability: round(w[1]!),
    logScore: round(w[2]!),
    coverage: round(w[3]!),
    margin: round(w[4]!),
    logWords: round(w[5]!),
  };
}

const round = (v: number) => Math.round(v * 1000) / 1000;

function logistic(weights: readonly number[], features: readonly number[]): number {
  const z = features.reduce((sum, x, i) => sum + x * (weights[i] ?? 0), 0);
  return 1 / (1 + Math.exp(-z));
}

/** Weights for `size` features (all 0 when there are no rows). */
function fitWeights(rows: readonly { x: number[]; y: number }[], size: number): number[] {
  const w = new Array<number>(size).fill(0);
  const rate = 0.5;
  const l2 = 1e-3;
  for (let step = 0; step < 3000; step++) {
    const gradient = new Array<number>(size).fill(0);
    for (const { x, y } of rows) {
      const p = logistic(w, x);
      x.forEach((v, i) => (gradient[i]! += (p - y) * v));
    }
    w.forEach((v, i) => (w[i] = v - rate * (gradient[i]! / Math.max(1, rows.length) + (i === 0 ? 0 : l2 * v))));
  }
  return w;
}
