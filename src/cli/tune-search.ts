/**
 * `npm run tune:search`: fits the search's two confidence models (src/knowledge/confidence.ts) and chooses the least
 * confidence each answers with, by 5-fold cross-validation on the train split: each fifth of its questions is asked
 * of an index whose examples are the other four fifths, so the answers it learns from are answers to questions the
 * index had not seen. For each field-weight setting it prints the fitted models and the bars with the best
 * right − 4 × wrong − 2 × out-of-scope answered (a wrong article costs four misses). The test split is never read;
 * check the winner with `npm run eval:search -- --split dev` before copying it into src/knowledge/search.ts.
 * `--weights default` tries only the current field weights.
 */
import { PROJECT_ROOT, loadContent } from "../content/load.ts";
import { fitChoice, fitConfidence } from "../knowledge/confidence.ts";
import { type EvalQuestion, OUT_OF_SCOPE, readSearchSplit } from "../knowledge/eval-set.ts";
import {
  type AnswerRule,
  answerOf,
  candidateOf,
  choicesOf,
  createSearchIndex,
  DEFAULT_CONFIDENCE_MODEL,
  DEFAULT_MIN_CONFIDENCE,
  DEFAULT_WEIGHTS,
  type Readings,
} from "../knowledge/search.ts";

const FOLDS = 5;
const content = loadContent(() => ({ retention_days: 90 }));
const train = readSearchSplit(PROJECT_ROOT, "train").filter((q) => content.classifyDanger(q.q).outcome !== "danger");
const inScope = train.filter((q) => q.a !== OUT_OF_SCOPE).length;
const outOfScope = train.length - inScope;
const foldOf = (i: number) => i % FOLDS;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const onlyDefault = process.argv.includes("--weights") && process.argv.includes("default");

/** An index that learnt from every train question outside `fold`. */
function indexWithout(fold: number, weights: typeof DEFAULT_WEIGHTS) {
  const learnt = train.filter((_, i) => foldOf(i) !== fold);
  const examplesOf = (id: string) => learnt.filter((q) => q.a === id).map((q) => q.q);
  return createSearchIndex(
    content.searchDocuments.map((d) => ({ ...d, examples: examplesOf(d.id) })),
    { ...content.searchOptions, weights, outOfScope: learnt.filter((q) => q.a === OUT_OF_SCOPE).map((q) => q.q) },
  );
}

/** Every train question's readings, each by the index that did not learn from it. */
function crossReadings(weights: typeof DEFAULT_WEIGHTS): { question: EvalQuestion; readings: Readings }[] {
  const rows: { question: EvalQuestion; readings: Readings }[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const index = indexWithout(fold, weights);
    train.forEach((question, i) => {
      if (foldOf(i) === fold) rows.push({ question, readings: index.readings(question.q) });
    });
  }
  return rows;
}

const isRight = (question: EvalQuestion, id: string) =>
  question.a !== OUT_OF_SCOPE && [question.a, ...(question.also ?? [])].includes(id);

function tune(weights: typeof DEFAULT_WEIGHTS) {
  const rows = crossReadings(weights);
  const agreed = rows.flatMap(({ question, readings }) => {
    const candidate = candidateOf(readings);
    return candidate && !candidate.byName && readings.index
      ? [{ signals: readings.index.signals, right: isRight(question, candidate.id) }]
      : [];
  });
  const choices = rows.flatMap(({ question, readings }) =>
    choicesOf(readings).map((c) => ({ signals: c.signals, right: isRight(question, c.id) })),
  );
  const models = { confidenceModel: fitConfidence(agreed), choiceModel: fitChoice(choices) };
  const bars = (from: number, to: number) =>
    Array.from({ length: Math.round((to - from) / 0.025) + 1 }, (_, i) => from + i * 0.025);
  const best = bestRule(
    rows,
    bars(0.5, 0.95).flatMap((minConfidence) =>
      bars(0.5, 1).map((minChoice) => ({ ...models, minConfidence, minChoice })),
    ),
  );
  // The shipped agreement rule held, only the choice refitted: a new bar for disagreements alone.
  const held = bestRule(
    rows,
    bars(0.5, 1).map((minChoice) => ({
      confidenceModel: DEFAULT_CONFIDENCE_MODEL,
      minConfidence: DEFAULT_MIN_CONFIDENCE,
      choiceModel: models.choiceModel,
      minChoice,
    })),
  );
  console.log(`${best.line} ${JSON.stringify(weights)}`);
  console.log(`      agreement ${JSON.stringify(models.confidenceModel)}`);
  console.log(`      choice    ${JSON.stringify(models.choiceModel)}`);
  console.log(`      with the shipped agreement rule: ${held.line}`);
}

/** The rule with the best right − 4 × wrong − 2 × out-of-scope answered over the rows. */
function bestRule(rows: readonly { question: EvalQuestion; readings: Readings }[], rules: readonly AnswerRule[]) {
  let best = { score: -Infinity, line: "" };
  for (const rule of rules) {
    let right = 0;
    let wrong = 0;
    let answeredOut = 0;
    for (const { question, readings } of rows) {
      const answer = answerOf(readings, rule);
      if (answer === undefined) continue;
      if (question.a === OUT_OF_SCOPE) answeredOut++;
      else if (isRight(question, answer)) right++;
      else wrong++;
    }
    const score = right / inScope - (4 * wrong) / inScope - (2 * answeredOut) / outOfScope;
    if (score > best.score)
      best = {
        score,
        line:
          `${score.toFixed(3)} min confidence ${rule.minConfidence.toFixed(3)}, ` +
          `min choice ${rule.minChoice.toFixed(3)}: right ${pct(right / inScope)} wrong ${pct(wrong / inScope)} ` +
          `out of scope answered ${pct(answeredOut / outOfScope)}`,
      };
  }
  return best;
}

const settings = onlyDefault
  ? [DEFAULT_WEIGHTS]
  : [0.5, 1].flatMap((body) =>
      [1, 2, 3].flatMap((key) => [1, 2, 3].map((example) => ({ ...DEFAULT_WEIGHTS, body, key, example }))),
    );
for (const weights of settings) tune(weights);
console.log(`train, ${FOLDS}-fold: ${train.length} questions (danger-screen questions left out)`);
