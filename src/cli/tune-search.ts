/**
 * `npm run tune:search`: fits the search's confidence model (src/knowledge/confidence.ts) and chooses the least
 * confidence it answers with, by 5-fold cross-validation on the train split: each fifth of its questions is asked
 * of an index whose examples are the other four fifths, so the answers it learns from are answers to questions the
 * index had not seen. For each field-weight setting it prints the fitted model and the threshold with the best
 * right − 4 × wrong − 2 × out-of-scope answered (a wrong article costs four misses). The test split is never read;
 * check the winner with `npm run eval:search -- --split dev` before copying it into src/knowledge/search.ts.
 */
import { PROJECT_ROOT, loadContent } from "../content/load.ts";
import { type AgreementSignals, confidence, fitConfidence } from "../knowledge/confidence.ts";
import { type EvalQuestion, OUT_OF_SCOPE, readSearchSplit } from "../knowledge/eval-set.ts";
import { candidateOf, createSearchIndex, DEFAULT_WEIGHTS } from "../knowledge/search.ts";

const FOLDS = 5;
const content = loadContent(() => ({ retention_days: 90 }));
const train = readSearchSplit(PROJECT_ROOT, "train").filter((q) => content.classifyDanger(q.q).outcome !== "danger");
const inScope = train.filter((q) => q.a !== OUT_OF_SCOPE).length;
const outOfScope = train.length - inScope;
const foldOf = (i: number) => i % FOLDS;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** An index that learnt from every train question outside `fold`. */
function indexWithout(fold: number, weights: typeof DEFAULT_WEIGHTS) {
  const learnt = train.filter((_, i) => foldOf(i) !== fold);
  const examplesOf = (id: string) => learnt.filter((q) => q.a === id).map((q) => q.q);
  return createSearchIndex(
    content.searchDocuments.map((d) => ({ ...d, examples: examplesOf(d.id) })),
    { ...content.searchOptions, weights, outOfScope: learnt.filter((q) => q.a === OUT_OF_SCOPE).map((q) => q.q) },
  );
}

/** An answer the search could give: asked by name (always given), or agreed (given when confident enough). */
interface Candidate {
  question: EvalQuestion;
  answer: string;
  byName: boolean;
  signals?: AgreementSignals;
}
const isRight = (c: Candidate) => [c.question.a, ...(c.question.also ?? [])].includes(c.answer);

for (const body of [0.5, 1])
  for (const key of [1, 2, 3])
    for (const example of [1, 2, 3]) {
      const weights = { ...DEFAULT_WEIGHTS, body, key, example };
      const candidates: Candidate[] = [];
      for (let fold = 0; fold < FOLDS; fold++) {
        const index = indexWithout(fold, weights);
        train.forEach((question, i) => {
          if (foldOf(i) !== fold) return;
          const r = index.readings(question.q);
          const candidate = candidateOf(r);
          if (candidate)
            candidates.push({
              question,
              answer: candidate.id,
              byName: candidate.byName,
              ...(!candidate.byName && r.index && { signals: r.index.signals }),
            });
        });
      }
      const agreed = candidates.filter((c) => c.signals);
      const model = fitConfidence(agreed.map((c) => ({ signals: c.signals!, right: isRight(c) })));
      let best = { score: -Infinity, line: "" };
      for (let minConfidence = 0.3; minConfidence <= 0.96; minConfidence += 0.025) {
        const given = candidates.filter((c) => c.byName || confidence(model, c.signals!) >= minConfidence);
        const right = given.filter((c) => c.question.a !== OUT_OF_SCOPE && isRight(c)).length;
        const wrong = given.filter((c) => c.question.a !== OUT_OF_SCOPE && !isRight(c)).length;
        const answeredOut = given.filter((c) => c.question.a === OUT_OF_SCOPE).length;
        const score = right / inScope - (4 * wrong) / inScope - (2 * answeredOut) / outOfScope;
        if (score > best.score)
          best = {
            score,
            line:
              `min confidence ${minConfidence.toFixed(3)}: right ${pct(right / inScope)} ` +
              `wrong ${pct(wrong / inScope)} out of scope answered ${pct(answeredOut / outOfScope)}`,
          };
      }
      console.log(`${best.score.toFixed(3)} body ${body} key ${key} example ${example} ${best.line}`);
      console.log(`      model ${JSON.stringify(model)}`);
    }
console.log(`train, ${FOLDS}-fold: ${train.length} questions (danger-screen questions left out)`);
