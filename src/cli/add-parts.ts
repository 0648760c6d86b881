/**
 * What `npm run corpus:split` and `npm run eval:split` share: new labelled items arrive as part files
 * (`<dir>/parts/*.yaml`, in file-name order), each item goes to the split its text says (so it never moves), an item
 * whose text is already in a split is kept once, and each split is written back sorted.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { type Split, SPLITS } from "../base/split.ts";

export interface PartsSpec<T> {
  /** The folder holding train.yaml, dev.yaml, test.yaml and parts/. */
  dir: string;
  /** A split as stored now ([] when its file does not exist yet). */
  readSplit: (split: Split) => T[];
  /** The items of one part file. */
  readPart: (path: string, name: string) => T[];
  textOf: (item: T) => string;
  splitOf: (item: T) => Split;
  /** What the written splits are sorted by. */
  orderOf: (item: T) => string;
  writeSplit: (split: Split, items: T[]) => void;
}

/** Adds the part files' items to the splits and writes them; returns how many items each split holds. */
export function addParts<T>(spec: PartsSpec<T>): Map<Split, number> {
  const partsDir = join(spec.dir, "parts");
  const files = existsSync(partsDir)
    ? readdirSync(partsDir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
    : [];
  const bySplit = new Map(SPLITS.map((s) => [s, existsSync(join(spec.dir, `${s}.yaml`)) ? spec.readSplit(s) : []]));
  const seen = new Set([...bySplit.values()].flat().map(spec.textOf));
  for (const file of files) {
    for (const item of spec.readPart(join(partsDir, file), `parts/${file}`)) {
      if (seen.has(spec.textOf(item))) continue;
      seen.add(spec.textOf(item));
      bySplit.get(spec.splitOf(item))!.push(item);
    }
  }
  const counts = new Map<Split, number>();
  for (const [split, items] of bySplit) {
    const order = (item: T) => spec.orderOf(item);
    items.sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
    spec.writeSplit(split, items);
    counts.set(split, items.length);
  }
  return counts;
}
