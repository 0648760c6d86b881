/**
 * The statistical signal beside the rules: logistic regression over features of a tagged message (its concepts,
 * ordered concept pairs, words, Latin words also as folded for romanised Khmer, and Khmer letter trigrams). It does
 * not see the rules' findings, so it is a second
 * opinion: it catches wordings the rules miss and turns a rule hit that reads like an ordinary message into a
 * check-in. A second regression over the same features scores whether a message asks for a phone number, for the
 * requests the rules' test misses. Trained on the corpus's train and dev splits, never test (src/safety/training.ts,
 * `npm run train:danger`), saved as flows/safety/model.json; the built service reads a compact copy (kept-model.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { contentError } from "../base/yaml-file.ts";
import { keptDangerModel } from "./kept-model.ts";
import { romanFold } from "../khmer/romanised.ts";
import { DANGER_KINDS, type DangerKind } from "./rules.ts";
import type { Tagging } from "./tagger.ts";

/** Pairs of concepts at most this many words apart become a feature ("hit>self"). */
const PAIR_REACH = 6;

/**
 * Weights by feature, as the file has them. Checked by one loop rather than z.record, which took about 60 ms of every
 * start-up for the model's 100,000 or so weights.
 */
const weightRecord = z.custom<Record<string, number>>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((w) => typeof w === "number" && Number.isFinite(w)),
  { message: "weights must be an object of finite numbers" },
);

/** A sparse weight vector, as the file has it. */
const linearFile = z.strictObject({ bias: z.number(), weights: weightRecord });
const modelFile = z.strictObject({
  version: z.literal(1),
  trainedOn: z.strictObject({ examples: z.number().int(), danger: z.number().int(), corpus: z.string() }),
  danger: linearFile,
  kinds: z.record(z.enum(DANGER_KINDS), linearFile),
  /** Whether a message asks for a phone number (police, ambulance, a helpline), beside the rules' own test. */
  numbers: linearFile,
});

/** flows/safety/model.json as JSON. */
export type DangerModelFile = z.infer<typeof modelFile>;

/** A linear model ready for scoring: its weights in a Map (faster than object keys for 100,000 features). */
export interface Linear {
  bias: number;
  weights: ReadonlyMap<string, number>;
}

/** The model's parts with each weight vector of type `V`: the file's and the memory's shapes differ only there. */
interface ModelOf<V> {
  version: 1;
  trainedOn: DangerModelFile["trainedOn"];
  danger: V;
  kinds: Record<DangerKind, V>;
  numbers: V;
}

/** The danger model in memory. */
export type DangerModel = ModelOf<Linear>;

/** `model` with each of its weight vectors turned into another by `convert`. */
function withVectors<A, B>(model: ModelOf<A>, convert: (vector: A) => B): ModelOf<B> {
  return {
    version: model.version,
    trainedOn: model.trainedOn,
    danger: convert(model.danger),
    kinds: Object.fromEntries(DANGER_KINDS.map((kind) => [kind, convert(model.kinds[kind])])) as Record<DangerKind, B>,
    numbers: convert(model.numbers),
  };
}

/**
 * Reads flows/safety/model.json under `flowsDir`: from the compact copy the build kept when there is one for this
 * file (kept-model.ts; reading the 2 MB of JSON into 100,000 object keys and then Maps was about 0.1 s of every
 * start), otherwise parsed and validated, and kept when the store writes.
 * @throws {SpeanError} SPEAN_CONTENT_INVALID when missing or malformed.
 */
export function loadDangerModel(flowsDir: string): DangerModel {
  const name = "flows/safety/model.json";
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(flowsDir, "safety", "model.json"));
  } catch (err) {
    throw contentError(name, [`not readable (${(err as Error).message.split("\n")[0]}); run npm run train:danger`]);
  }
  const kept = keptDangerModel(bytes);
  const found = kept?.read();
  if (found) return found;
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    throw contentError(name, [
      `not readable JSON (${(err as Error).message.split("\n")[0]}); run npm run train:danger`,
    ]);
  }
  const parsed = modelFile.safeParse(raw);
  if (!parsed.success)
    throw contentError(
      name,
      parsed.error.issues.map((i) => `${i.path.join(".") || "file"}: ${i.message}`),
    );
  const model = modelOfFile(parsed.data);
  kept?.write(model);
  return model;
}

/** The model in memory from the file's JSON. */
export function modelOfFile(file: DangerModelFile): DangerModel {
  return withVectors(file, (v) => ({ bias: v.bias, weights: new Map(Object.entries(v.weights)) }));
}

/** The model as the file keeps it (`npm run train:danger`). */
export function fileOfModel(model: DangerModel): DangerModelFile {
  return withVectors(model, (v) => ({ bias: v.bias, weights: Object.fromEntries(v.weights) }));
}

/** The features of a message (a set: each counts once). */
export function features(words: readonly string[], tagging: Tagging): string[] {
  const out = new Set<string>();
  for (const tag of tagging.tags) for (const c of tag.concepts) out.add(`${tag.negated ? "n" : "c"}:${c}`);
  const { tags } = tagging;
  for (let a = 0; a < tags.length; a++) {
    for (let b = a + 1; b < tags.length && tags[b]!.start - tags[a]!.end < PAIR_REACH; b++) {
      for (const x of tags[a]!.concepts) for (const y of tags[b]!.concepts) out.add(`p:${x}>${y}`);
    }
  }
  for (const word of words) {
    out.add(`w:${word.toLowerCase()}`);
    // Romanised Khmer is spelt many ways ("chuoy", "jouy"): the folded word lets one spelling teach the others. On
    // dev (2 December, model trained on train alone) recall 96.9 → 97.0 %, danger screen 91.1 → 91.5 %, false
    // danger 2.2 → 2.0 %, false check-in 6.8 → 7.2 %. Letter trigrams of Latin words were tried too: worse on
    // romanised messages (recall 99.1 → 97.9 % there), so not used.
    if (/^[a-z]+$/i.test(word)) out.add(`f:${romanFold(word)}`);
  }
  const khmer = words.join("").replace(/[^\u1780-\u17ff]/g, "");
  for (let i = 0; i + 3 <= khmer.length; i++) out.add(`g:${khmer.slice(i, i + 3)}`);
  out.add(`len:${Math.min(6, Math.ceil(Math.log2(1 + tagging.words)))}`);
  return [...out];
}

/** The raw score (log-odds) of a linear model over a feature set. */
export function score(model: Linear, feats: readonly string[]): number {
  let sum = model.bias;
  for (const f of feats) sum += model.weights.get(f) ?? 0;
  return sum;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The probability that a message is danger. */
export function dangerProbability(model: DangerModel, feats: readonly string[]): number {
  return sigmoid(score(model.danger, feats));
}

/** The probability that a message asks for a phone number. */
export function numbersProbability(model: DangerModel, feats: readonly string[]): number {
  return sigmoid(score(model.numbers, feats));
}

/**
 * The kinds of danger by the model, most likely first: always the most likely one, then every other kind the model
 * gives at least `alsoFrom` (one-vs-rest probabilities, so several may pass).
 */
export function likelyKinds(model: DangerModel, feats: readonly string[], alsoFrom: number): DangerKind[] {
  const ranked = DANGER_KINDS.flatMap((kind) => {
    const m = model.kinds[kind];
    return m ? [{ kind, probability: sigmoid(score(m, feats)) }] : [];
  }).sort((a, b) => b.probability - a.probability);
  if (ranked.length === 0) return ["threat"];
  return ranked.filter((r, i) => i === 0 || r.probability >= alsoFrom).map((r) => r.kind);
}

export interface TrainingExample {
  feats: string[];
  danger: boolean;
  kind?: DangerKind;
  /** Whether the message asks for a phone number (the corpus's "numbers" label). */
  numbers: boolean;
}

export interface TrainOptions {
  /** Passes over the data. Default 30. */
  epochs?: number;
  /** Default 0.1. */
  rate?: number;
  /** L2 penalty per step. Default 1e-4. */
  l2?: number;
  /** Weights smaller than this are dropped from the saved model. Default 0.02. */
  prune?: number;
}

/**
 * Trains a binary logistic regression by stochastic gradient descent, with balanced class weights. Deterministic:
 * the examples are visited in a fixed shuffled order.
 */
export function trainLinear(examples: readonly { feats: string[]; y: boolean }[], options: TrainOptions = {}): Linear {
  const epochs = options.epochs ?? 30;
  const l2 = options.l2 ?? 1e-4;
  const positives = examples.filter((e) => e.y).length;
  const weightOf = (y: boolean) =>
    y
      ? examples.length / (2 * Math.max(1, positives))
      : examples.length / (2 * Math.max(1, examples.length - positives));
  const w = new Map<string, number>();
  let bias = 0;
  const order = shuffled(examples.length);
  for (let epoch = 0; epoch < epochs; epoch++) {
    const rate = (options.rate ?? 0.1) / (1 + epoch * 0.2);
    for (const i of order) {
      const e = examples[i]!;
      let s = bias;
      for (const f of e.feats) s += w.get(f) ?? 0;
      const gradient = (sigmoid(s) - (e.y ? 1 : 0)) * weightOf(e.y);
      bias -= rate * gradient;
      for (const f of e.feats) {
        const old = w.get(f) ?? 0;
        w.set(f, old - rate * (gradient + l2 * old));
      }
    }
  }
  const prune = options.prune ?? 0.02;
  const weights = new Map<string, number>();
  for (const [f, v] of [...w.entries()].sort(([a], [b]) => (a < b ? -1 : 1)))
    if (Math.abs(v) >= prune) weights.set(f, Math.round(v * 100) / 100);
  return { bias: Math.round(bias * 1000) / 1000, weights };
}

/** Trains the danger model, one-vs-rest kind models and the number-request model. */
export function trainModel(
  examples: readonly TrainingExample[],
  corpus: string,
  options: TrainOptions = {},
): DangerModel {
  const danger = trainLinear(
    examples.map((e) => ({ feats: e.feats, y: e.danger })),
    options,
  );
  const dangerous = examples.filter((e) => e.danger && e.kind);
  const kinds = Object.fromEntries(
    DANGER_KINDS.map((kind) => [
      kind,
      trainLinear(
        dangerous.map((e) => ({ feats: e.feats, y: e.kind === kind })),
        { ...options, prune: Math.max(options.prune ?? 0.02, 0.1) },
      ),
    ]),
  ) as DangerModel["kinds"];
  const numbers = trainLinear(
    examples.map((e) => ({ feats: e.feats, y: e.numbers })),
    options,
  );
  return {
    version: 1,
    trainedOn: { examples: examples.length, danger: examples.filter((e) => e.danger).length, corpus },
    danger,
    kinds,
    numbers,
  };
}

/** 0..n-1 in a fixed pseudo-random order (a linear congruential generator with a fixed seed). */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let seed = 20261130;
  for (let i = n - 1; i > 0; i--) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const j = seed % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
