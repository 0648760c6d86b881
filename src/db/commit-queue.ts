/**
 * Group commit: work submitted while the event loop is busy runs in one SQLite transaction, each piece in a
 * savepoint of its own, and every caller's promise settles only after that transaction has committed. Durability
 * is unchanged (nothing is acknowledged or sent before its writes are on disk); what is saved is a commit per
 * piece of work, which was the largest single cost of ingesting and handling an update (bench/README.md).
 */
import { setImmediate } from "node:timers";
import type Database from "better-sqlite3";

export interface CommitQueue {
  /**
   * Runs `work` (synchronous, database work only) in the next group commit. Resolves with its result after the
   * commit; rejects with its error (its savepoint is rolled back, the others commit) or with the commit's error.
   */
  run<T>(work: () => T): Promise<T>;
}

interface Pending {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** Creates a queue over one connection. `maxBatch` (default 256) bounds how long one commit holds the loop. */
export function createCommitQueue(client: Database.Database, maxBatch = 256): CommitQueue {
  const waiting: Pending[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    const batch = waiting.splice(0, maxBatch);
    if (waiting.length > 0) schedule();
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      client
        .transaction(() => {
          for (const pending of batch) {
            try {
              // A transaction function called inside a transaction runs as a savepoint.
              outcomes.push({ ok: true, value: client.transaction(pending.work)() });
            } catch (error) {
              outcomes.push({ ok: false, error });
            }
          }
        })
        .immediate();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] as (typeof outcomes)[number];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate from node:timers, not the global: it runs after this loop turn's I/O callbacks (so every
    // request already read joins the batch) and is left alone by tests that fake the global timers.
    setImmediate(flush);
  }

  return {
    run<T>(work: () => T): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}
