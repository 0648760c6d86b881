/**
 * Splitting a labelled set once into train, dev and test by a hash of each item's text, so an item never moves
 * between splits when the set grows, and a test split stays unseen by whoever tunes on the other two.
 */
import { createHash } from "node:crypto";

export const SPLITS = ["train", "dev", "test"] as const;
export type Split = (typeof SPLITS)[number];

/**
 * Which split `text` belongs to, by the first byte of SHA-256 of `salt + text` modulo 10: buckets below
 * `trainTenths` go to train, the next `devTenths` to dev, the rest to test. The danger corpus uses 6/2 (60/20/20)
 * and no salt.
 */
export function splitOf(text: string, trainTenths: number, devTenths: number, salt = ""): Split {
  const bucket =
    createHash("sha256")
      .update(salt + text)
      .digest()[0]! % 10;
  return bucket < trainTenths ? "train" : bucket < trainTenths + devTenths ? "dev" : "test";
}
