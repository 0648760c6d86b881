/**
 * `npm run bench:danger` (also part of `npm run bench`): how long the danger classifier takes per message, p50,
 * p99 and max, over every corpus message (all splits, each 20 times after a warm-up) and over messages of
 * Telegram's full 4,096 characters; and how long loading its lexicon and model takes. Target: p99 < 1 ms.
 */
import { join } from "node:path";
import { PROJECT_ROOT } from "../src/content/load.ts";
import { createDangerClassifier, type DangerClassifier } from "../src/safety/classifier.ts";
import { readSplit, SPLITS } from "../src/safety/corpus.ts";
import { loadConceptForms } from "../src/safety/lexicon.ts";
import { loadDangerModel } from "../src/safety/model.ts";

const ROUNDS = 20;
const flows = join(PROJECT_ROOT, "flows");

const loadStarted = performance.now();
const classify = createDangerClassifier(loadConceptForms(flows), loadDangerModel(flows));
const loadMs = performance.now() - loadStarted;

const messages = SPLITS.flatMap((s) => readSplit(PROJECT_ROOT, s)).map((e) => e.text);
const long = messages.slice(0, 50).map((m) => m.repeat(Math.ceil(4096 / m.length)).slice(0, 4096));

function measure(classifier: DangerClassifier, texts: string[], rounds: number) {
  for (const t of texts) classifier(t);
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const t of texts) {
      const started = performance.now();
      classifier(t);
      times.push(performance.now() - started);
    }
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] as number;
  return { p50: at(0.5), p99: at(0.99), max: times[times.length - 1] as number };
}

const ms = (x: number) => `${x.toFixed(3)} ms`;
const typical = measure(classify, messages, ROUNDS);
const longest = measure(classify, long, 5);
console.log(`danger classifier (target p99 < 1 ms); lexicon and model loaded in ${loadMs.toFixed(0)} ms`);
console.log(
  `  ${messages.length} corpus messages x ${ROUNDS}: ` +
    `p50 ${ms(typical.p50)}, p99 ${ms(typical.p99)}, max ${ms(typical.max)}`,
);
console.log(
  `  ${long.length} messages of 4,096 characters x 5: ` +
    `p50 ${ms(longest.p50)}, p99 ${ms(longest.p99)}, max ${ms(longest.max)}`,
);
