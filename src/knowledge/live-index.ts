/**
 * The search index the bot answers with: the articles' files plus the wordings staff taught and a reviewer
 * approved (knowledge/wordings.ts). Approving or removing a wording rebuilds it, so the next question uses it. The
 * rebuild is synchronous (about 3 s with 20,000 example questions, since the question model is trained again; once
 * per reviewer's decision): replies wait that long, once, which is simpler than two indexes swapped under a worker
 * and rare enough to accept.
 */
import type { StepwiseValue } from "../base/stepwise.ts";
import { lazySearchIndex, type SearchDocument, type SearchIndex, type SearchOptions } from "./search.ts";

export interface TaughtWording {
  articleId: string;
  wording: string;
}

export interface LiveSearchIndex extends SearchIndex {
  /** Rebuilds the index with these approved wordings as keywords of their articles. */
  refresh(wordings: readonly TaughtWording[]): void;
  /**
   * Rebuilds the index only if `wordings` differ from those it was built with (order aside); true when it did.
   * With several instances, each brings its index up to date with wordings another instance approved.
   */
  refreshIfChanged(wordings: readonly TaughtWording[]): boolean;
  /**
   * Builds the index now, in slices of about `sliceMs` ms (default 8) with the event loop free between them, unless
   * it is built already. A search made meanwhile finishes the build at once.
   */
  prepare(sliceMs?: number): Promise<void>;
}

/**
 * Builds the index from `documents` and `wordings`; a wording for an article that no longer exists is ignored.
 * `built` gives the same documents' index without wordings, used as it is while no wording is taught (tests create
 * many services). Nothing is built until the first search, `size` or `prepare()`, so start-up does not wait for it.
 */
export function createLiveSearchIndex(
  documents: readonly SearchDocument[],
  options: SearchOptions,
  wordings: readonly TaughtWording[] = [],
  built?: StepwiseValue<SearchIndex>,
): LiveSearchIndex {
  const build = (taught: readonly TaughtWording[]) =>
    lazySearchIndex(
      documents.map((d) => ({
        ...d,
        keywords: [...d.keywords, ...taught.filter((w) => w.articleId === d.id).map((w) => w.wording)],
      })),
      options,
    );
  let current = wordings.length === 0 && built ? built : build(wordings);
  let builtWith = signatureOf(wordings);
  const index = () => current.get();
  return {
    search: (question, limit) => index().search(question, limit),
    termsOf: (question) => index().termsOf(question),
    readings: (question) => index().readings(question),
    get size() {
      return index().size;
    },
    get questionModel() {
      return index().questionModel;
    },
    refresh(taught) {
      current = build(taught);
      builtWith = signatureOf(taught);
      current.get();
    },
    refreshIfChanged(taught) {
      if (signatureOf(taught) === builtWith) return false;
      this.refresh(taught);
      return true;
    },
    async prepare(sliceMs) {
      await current.inSlices(sliceMs);
    },
  };
}

/** The wordings as one comparable string, whatever their order. */
function signatureOf(wordings: readonly TaughtWording[]): string {
  return JSON.stringify(wordings.map((w) => [w.articleId, w.wording]).sort());
}
