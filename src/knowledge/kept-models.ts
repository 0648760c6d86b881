/**
 * Question models kept from the production build, so that the built service does not train one at start-up.
 *
 * Training the search's question model (question-model.ts) on some 20,000 example questions takes about 2.5 s, so
 * the search index the service builds right after start-up (which a resident's first question waits for) took that
 * much longer. `npm run build` trains it once and writes it to dist/models/ under the SHA-256 of everything the
 * model learns from (see `questionModelKey` in search.ts); the built service loads it from there (base/kept-files.ts).
 */
import { keptFiles } from "../base/kept-files.ts";
import type { QuestionModelParts } from "./question-model.ts";

/** Where kept models are looked up, and (at build time) written. */
export interface KeptQuestionModels {
  /** The model kept under `key`; undefined when there is none or it cannot be read. */
  load(key: string): QuestionModelParts | undefined;
  /** Keeps a freshly trained model (only the build's store has it). */
  save?(key: string, parts: QuestionModelParts): void;
}

/** Bumped when the file layout changes: an old file then no longer decodes. */
const FORMAT = "spean-question-model-1";

/** The kept models in the store set by `useKeptFiles`, or undefined when models are trained at start. */
export function keptQuestionModels(): KeptQuestionModels | undefined {
  const files = keptFiles();
  if (!files) return undefined;
  const write = files.write;
  return {
    load(key) {
      const bytes = files.read(`${key}.bin`);
      try {
        return bytes && decodeQuestionModel(bytes);
      } catch {
        return undefined; // a damaged file costs a training, never the service
      }
    },
    save: write && ((key, parts) => write(`${key}.bin`, encodeQuestionModel(parts))),
  };
}

/**
 * The model as bytes: a length-prefixed JSON header (format, labels, features), then the biases, the row starts,
 * the weights (float64, so a kept model answers exactly as the trained one) and their classes.
 */
export function encodeQuestionModel(parts: QuestionModelParts): Buffer {
  const header = Buffer.from(JSON.stringify({ format: FORMAT, labels: parts.labels, features: parts.features }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  return Buffer.concat([
    length,
    header,
    bytesOf(parts.bias),
    bytesOf(parts.rowStart),
    bytesOf(parts.weights),
    bytesOf(parts.rowClass),
  ]);
}

/**
 * Reads bytes written by {@link encodeQuestionModel}.
 * @throws {Error} when the bytes are not a whole model of this format.
 */
export function decodeQuestionModel(bytes: Buffer): QuestionModelParts {
  const headerLength = bytes.readUInt32LE(0);
  const header = JSON.parse(bytes.subarray(4, 4 + headerLength).toString("utf8")) as {
    format?: unknown;
    labels?: unknown;
    features?: unknown;
  };
  if (header.format !== FORMAT || !isStrings(header.labels) || !isStrings(header.features))
    throw new Error("not a kept question model of this format");
  let at = 4 + headerLength;
  // Copied out (ArrayBuffer.slice), so each typed array starts aligned whatever its offset in the file.
  const take = (count: number, size: number) => {
    if (at + count * size > bytes.length) throw new Error("kept question model cut short");
    const copy = bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + count * size);
    at += count * size;
    return copy;
  };
  const bias = new Float64Array(take(header.labels.length, 8));
  const rowStart = new Uint32Array(take(header.features.length + 1, 4));
  const weightCount = rowStart[header.features.length] as number;
  const weights = new Float64Array(take(weightCount, 8));
  const rowClass = new Uint32Array(take(weightCount, 4));
  if (at !== bytes.length) throw new Error("kept question model has bytes left over");
  return { labels: header.labels, features: header.features, rowStart, rowClass, weights, bias };
}

const bytesOf = (array: Float64Array | Uint32Array) => Buffer.from(array.buffer, array.byteOffset, array.byteLength);

const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === "string");
