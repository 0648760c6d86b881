/**
 * Group commit: work submitted while the event loop is busy runs in one SQLite transaction, each piece in a
 * savepoint of its own, one piece after another, and every caller's promise settles only after that transaction
 * has committed. Durability is unchanged (nothing is acknowledged or sent before its writes are on disk); what is
 * saved is a commit per piece of work, which was the largest single cost of ingesting and handling an update
 * (bench/README.md).
 *
 * A piece of work may be asynchronous (the domain awaits its stores, which over a network database answer later),
 * but it must do database work only. Over SQLite the stores answer at once, so a piece only ever waits for promises
 * that are already settled: the whole batch runs within one turn of the event loop, and no other code can write on
 * the connection while the transaction is open.
 */
import { setImmediate } from "node:timers";
import type Database from "better-sqlite3";
import type { Awaitable } from "../base/awaitable.ts";

export interface CommitQueue {
  /**
   * Runs `work` (database work only) in the next group commit. Resolves with its result after the commit; rejects
   * with its error (its savepoint is rolled back, the others commit) or with the commit's error.
   */
  run<T>(work: () => Awaitable<T>): Promise<T>;
}

/** A piece of submitted work and how its caller is told the outcome. */
export interface PendingWork {
  work: () => unknown;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

/** How one piece ended: its value, or its error (its savepoint rolled back). */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs a batch in one transaction, each piece in its own savepoint, one after another. Resolves with each piece's
 * outcome after COMMIT; rejects when the transaction as a whole fails (then every piece of the batch fails with it).
 */
export type BatchRunner = (batch: readonly PendingWork[]) => Promise<Outcome[]>;

/**
 * The group commit over any database: gathers work until the event loop is free, runs up to `maxBatch` (default
 * 256) pieces with `runBatch`, and settles each caller after the commit. Work submitted while a batch runs waits for
 * the next one. `defer` starts a batch later (default: setImmediate from node:timers, not the global: it runs after
 * this loop turn's I/O callbacks, so every request already read joins the batch, and tests that fake the global
 * timers leave it alone).
 */
export function createGroupCommit(
  runBatch: BatchRunner,
  options: { maxBatch?: number; defer?: (start: () => void) => void } = {},
): CommitQueue {
  const maxBatch = options.maxBatch ?? 256;
  const defer = options.defer ?? ((start: () => void) => setImmediate(start));
  const waiting: PendingWork[] = [];
  let scheduled = false;
  let flushing = false;

  async function flush(): Promise<void> {
    scheduled = false;
    flushing = true;
    const batch = waiting.splice(0, maxBatch);
    let outcomes: Outcome[];
    try {
      outcomes = await runBatch(batch);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    } finally {
      flushing = false;
      if (waiting.length > 0) schedule();
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i] as Outcome;
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }

  function schedule(): void {
    if (scheduled || flushing) return;
    scheduled = true;
    defer(() => void flush());
  }

  return {
    run<T>(work: () => Awaitable<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        waiting.push({ work, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
  };
}

/** Creates the queue over one SQLite connection. `maxBatch` (default 256) bounds how long one commit holds the loop. */
export function createCommitQueue(client: Database.Database, maxBatch = 256): CommitQueue {
  const statement = (sql: string) => client.prepare(sql);
  const begin = statement("begin immediate");
  const commit = statement("commit");
  const rollback = statement("rollback");
  const savepoint = statement("savepoint piece");
  const release = statement("release piece");
  const rollbackPiece = statement("rollback to piece");

  async function runPiece(pending: PendingWork): Promise<Outcome> {
    savepoint.run();
    try {
      const value = await pending.work();
      release.run();
      return { ok: true, value };
    } catch (error) {
      rollbackPiece.run();
      release.run();
      return { ok: false, error };
    }
  }

  async function runBatch(batch: readonly PendingWork[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    begin.run();
    try {
      for (const pending of batch) outcomes.push(await runPiece(pending));
      commit.run();
    } catch (error) {
      if (client.inTransaction) rollback.run();
      throw error;
    }
    return outcomes;
  }

  return createGroupCommit(runBatch, { maxBatch });
}
