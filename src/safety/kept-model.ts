/**
 * The danger model kept from the production build in a compact form. flows/safety/model.json holds some 100,000
 * weights as JSON object keys; parsing it and turning each weight vector into a Map took about 0.1 s of every start
 * of the built service. `npm run build` keeps the loaded model in dist/models/ under the SHA-256 of the file's bytes
 * (base/kept-files.ts), as one list of feature names and one block of float64 weights, which reads in a fraction of
 * that and gives exactly the same weights.
 */
import { createHash } from "node:crypto";
import { keptFiles, type KeptFiles } from "../base/kept-files.ts";
import { DANGER_KINDS } from "./rules.ts";
import type { DangerModel, Linear } from "./model.ts";

/** Bumped when the layout changes: an old file then no longer decodes. */
const FORMAT = "spean-danger-model-1";

/** The weight vectors of a model, in the order they are stored. */
const VECTORS = ["danger", "numbers", ...DANGER_KINDS.map((kind) => `kinds.${kind}`)] as const;

/** The kept copy of one model file: read it, or (at build time) write it. */
export interface KeptDangerModel {
  /** The model kept for these bytes; undefined when there is none or it cannot be read. */
  read(): DangerModel | undefined;
  /** Keeps the model loaded from these bytes, when the store writes (the build, a source run's cache). */
  write(model: DangerModel): void;
}

/**
 * The kept copy of the model file whose bytes are `fileBytes`, in `kept` (default: the store set by
 * `useKeptFiles`); undefined when no store is in use. A damaged copy costs a parse, never the service.
 */
export function keptDangerModel(
  fileBytes: Buffer,
  kept: KeptFiles | undefined = keptFiles(),
): KeptDangerModel | undefined {
  if (!kept) return undefined;
  const name = `danger-model-${createHash("sha256").update(fileBytes).digest("hex")}.bin`;
  return {
    read() {
      const bytes = kept.read(name);
      try {
        return bytes && decodeDangerModel(bytes);
      } catch {
        return undefined;
      }
    },
    write(model) {
      kept.write?.(name, encodeDangerModel(model));
    },
  };
}

function vectorOf(model: DangerModel, key: (typeof VECTORS)[number]): Linear {
  if (key === "danger" || key === "numbers") return model[key];
  return model.kinds[key.slice("kinds.".length) as keyof DangerModel["kinds"]];
}

/**
 * The model as bytes: a length-prefixed JSON header (format, what it was trained on, each vector's bias and size),
 * the feature names joined by newlines (length-prefixed), then every weight as a float64.
 * @throws {Error} when a feature name contains a newline (none does: words are split on white space).
 */
export function encodeDangerModel(model: DangerModel): Buffer {
  const vectors = VECTORS.map((key) => vectorOf(model, key));
  const features = vectors.flatMap((v) => [...v.weights.keys()]);
  if (features.some((f) => f.includes("\n"))) throw new Error("a feature name contains a newline");
  const weights = Float64Array.from(vectors.flatMap((v) => [...v.weights.values()]));
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      trainedOn: model.trainedOn,
      vectors: vectors.map((v) => ({ bias: v.bias, size: v.weights.size })),
    }),
  );
  const names = Buffer.from(features.join("\n"));
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32LE(header.length, 0);
  lengths.writeUInt32LE(names.length, 4);
  return Buffer.concat([lengths, header, names, Buffer.from(weights.buffer)]);
}

/**
 * Reads bytes written by {@link encodeDangerModel}.
 * @throws {Error} when they are not a whole model of this format.
 */
export function decodeDangerModel(bytes: Buffer): DangerModel {
  const headerLength = bytes.readUInt32LE(0);
  const namesLength = bytes.readUInt32LE(4);
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString("utf8")) as {
    format?: unknown;
    trainedOn?: DangerModel["trainedOn"];
    vectors?: { bias: number; size: number }[];
  };
  const { vectors, trainedOn } = header;
  if (header.format !== FORMAT || !trainedOn || !Array.isArray(vectors) || vectors.length !== VECTORS.length)
    throw new Error("not a kept danger model of this format");
  const namesStart = 8 + headerLength;
  const features = bytes
    .subarray(namesStart, namesStart + namesLength)
    .toString("utf8")
    .split("\n");
  const weightsStart = namesStart + namesLength;
  const count = vectors.reduce((sum, v) => sum + v.size, 0);
  if (features.length !== count || bytes.length !== weightsStart + count * 8)
    throw new Error("kept danger model cut short");
  // Copied out (ArrayBuffer.slice), so the float64s are aligned whatever their offset in the file.
  const weights = new Float64Array(
    bytes.buffer.slice(bytes.byteOffset + weightsStart, bytes.byteOffset + bytes.length),
  );
  let at = 0;
  const linears = vectors.map(({ bias, size }) => {
    const map = new Map<string, number>();
    for (const end = at + size; at < end; at++) map.set(features[at] as string, weights[at] as number);
    return { bias, weights: map };
  });
  const byKey = new Map(VECTORS.map((key, i) => [key, linears[i] as Linear]));
  return {
    version: 1,
    trainedOn,
    danger: byKey.get("danger") as Linear,
    numbers: byKey.get("numbers") as Linear,
    kinds: Object.fromEntries(
      DANGER_KINDS.map((kind) => [kind, byKey.get(`kinds.${kind}`) as Linear]),
    ) as DangerModel["kinds"],
  };
}
