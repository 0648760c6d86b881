/**
 * Vitest global setup: computes, once before any test, what a run from source keeps between starts (the search's
 * question model and the danger lexicon, in node_modules/.cache/spean/<hash of src/>: src/boot/source-cache.ts).
 *
 * The end-to-end and browser tests start the service from source a few dozen times. On a fresh clone the cache is
 * empty, so the first several, started side by side, each trained the question model for about 4.5 s with the event
 * loop blocked (more on a loaded 2-core machine), which pushed tests with two or three starts past their timeout.
 */
import { useKeptFiles } from "../../src/base/kept-files.ts";
import { useSourceRunCache } from "../../src/boot/source-cache.ts";
import { loadContent, PROJECT_ROOT } from "../../src/content/load.ts";

export default function setup(): void {
  useSourceRunCache(PROJECT_ROOT);
  try {
    void loadContent(() => ({})).searchIndex.size; // loading compiles the lexicon; the index trains the model
  } finally {
    useKeptFiles(undefined);
  }
}
