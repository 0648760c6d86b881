/**
 * The unit of work over PostgreSQL: the commit queue of src/db/commit-queue.ts, with the same interface and the same
 * group commit. Work submitted while a batch is being gathered runs in one transaction on one pooled connection,
 * each piece in a savepoint of its own, one piece after another; a failing piece is rolled back to its savepoint
 * alone and the others commit; every caller's promise settles only after COMMIT, and a failed COMMIT rejects the
 * whole batch. Work submitted while a batch is on the wire waits for the next one, so the batches grow with the load
 * instead of the commits. A batch of one piece has no savepoint: rolling the transaction back does the same.
 *
 * Stores do not take the transaction as an argument (their interfaces are the same over SQLite, where there is one
 * connection). A piece runs inside an AsyncLocalStorage frame naming the transaction's Drizzle handle, and a store
 * runs each query on `executor(db)`: the open transaction when called from a piece of a unit of work on `db`'s pool,
 * the pool otherwise. Pieces run one at a time, so only one piece ever uses the transaction's connection; a piece
 * that runs several queries at once has them queued on that connection by node-postgres. A store that opens its own
 * transaction (`executor(db).transaction(...)`) gets a savepoint nested in the piece's when it runs in a piece.
 *
 * Unlike SQLite, PostgreSQL aborts the whole transaction when one statement fails: a piece must not catch a database
 * error and carry on (its later queries, or its savepoint's release, fail with 25P02 and the piece is rolled back;
 * alone in its batch, its COMMIT is answered with ROLLBACK and it is rejected with 40000).
 * A store that expects a conflict says so in SQL (`on conflict`), never with a caught error.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { setImmediate } from "node:timers";
import { drizzle, type NodePgDatabase, NodePgTransaction } from "drizzle-orm/node-postgres";
import { PgDialect } from "drizzle-orm/pg-core";
import type pg from "pg";
import { createGroupCommit, type CommitQueue, type Outcome, type PendingWork } from "./commit-queue.ts";
import * as pgSchema from "./pg-schema.ts";
import type { PgDb } from "./postgres.ts";

/** What a PostgreSQL store runs a query on: the pool's Drizzle database, or a unit of work's open transaction. */
export type PgExecutor = NodePgDatabase<typeof pgSchema>;

/** A transaction a store opens itself (a savepoint when it runs inside a unit of work). */
export type PgTransaction = Parameters<Parameters<PgExecutor["transaction"]>[0]>[0];

/** The piece of work running now: its pool (so a store on another database is never sent here) and transaction. */
interface Frame {
  pool: pg.Pool;
  tx: PgExecutor;
  /** False once the piece has settled: work it left running (a timer, a floating promise) must not reach the tx. */
  open: boolean;
}

const currentPiece = new AsyncLocalStorage<Frame>();

/**
 * Where a store on `db` runs its next query: the transaction of the unit-of-work piece being run, when there is one
 * on `db`'s pool, else `db` itself (each query then commits on its own, on whichever pooled connection is free).
 * Call it for each query, never once when the store is created.
 */
export function executor(db: PgDb): PgExecutor {
  const frame = currentPiece.getStore();
  return frame?.open === true && frame.pool === db.$client ? frame.tx : db;
}

/** Whether the caller runs inside a piece of a unit of work on `db` (for tests and assertions). */
export function inUnitOfWork(db: PgDb): boolean {
  return executor(db) !== db;
}

/**
 * One Drizzle handle per pooled connection, made the first time a batch runs on it: a transaction object already
 * inside the piece's savepoint, so that a store calling `executor(db).transaction(...)` in a piece gets a nested
 * savepoint (sp2, sp3, ...) instead of a BEGIN and a COMMIT that would end the batch's transaction early.
 */
const handles = new WeakMap<pg.PoolClient, PgExecutor>();

function handleOf(client: pg.PoolClient): PgExecutor {
  let handle = handles.get(client);
  if (!handle) {
    const onClient = drizzle(client, { schema: pgSchema });
    const { fullSchema, schema, tableNamesMap } = onClient._;
    handle = new NodePgTransaction(
      new PgDialect(),
      onClient._.session,
      { fullSchema, schema: schema!, tableNamesMap },
      1,
    );
    handles.set(client, handle);
  }
  return handle;
}

/** PostgreSQL answers COMMIT with ROLLBACK (and no error) when the transaction had failed: never a success. */
function rolledBackAtCommit(): Error {
  // 40000 is PostgreSQL's SQLSTATE "transaction_rollback": errorCode() reports it like any other server error.
  return Object.assign(new Error("PostgreSQL rolled the transaction back at COMMIT"), { code: "40000" });
}

/**
 * Creates the PostgreSQL commit queue over `db`'s pool. A batch holds one pooled connection from BEGIN to COMMIT;
 * `maxBatch` (default 256) bounds how many pieces share one transaction.
 */
export function createPgCommitQueue(db: PgDb, maxBatch = 256): CommitQueue {
  const pool = db.$client;

  async function runPiece(client: pg.PoolClient, pending: PendingWork): Promise<Outcome> {
    await client.query("savepoint piece");
    const frame: Frame = { pool, tx: handleOf(client), open: true };
    try {
      const value = await currentPiece.run(frame, pending.work);
      frame.open = false;
      await client.query("release savepoint piece");
      return { ok: true, value };
    } catch (error) {
      frame.open = false;
      // A failure here (the connection is gone) fails the whole batch.
      await client.query("rollback to savepoint piece");
      await client.query("release savepoint piece");
      return { ok: false, error };
    }
  }

  /**
   * A batch of one piece needs no savepoint: when the piece fails, rolling the transaction back undoes exactly what
   * its savepoint would have. That saves two round trips, which at a low load is most batches.
   */
  async function runAlone(client: pg.PoolClient, pending: PendingWork): Promise<Outcome> {
    const frame: Frame = { pool, tx: handleOf(client), open: true };
    let value: unknown;
    try {
      value = await currentPiece.run(frame, pending.work);
    } catch (error) {
      frame.open = false;
      await client.query("rollback");
      return { ok: false, error };
    }
    frame.open = false;
    const committed = await client.query("commit");
    if (committed.command !== "COMMIT") throw rolledBackAtCommit();
    return { ok: true, value };
  }

  /** Runs a batch in one transaction on one pooled connection; resolves with each piece's outcome after COMMIT. */
  async function runBatch(batch: readonly PendingWork[]): Promise<Outcome[]> {
    const client = await pool.connect();
    // Checked out, a connection has no error listener: one the server drops between two queries would otherwise
    // throw an unhandled 'error' event. It is remembered, and the connection is destroyed on release.
    let broken: Error | undefined;
    const onError = (err: Error) => (broken ??= err);
    client.on("error", onError);
    try {
      await client.query("begin");
      if (batch.length === 1) return [await runAlone(client, batch[0] as PendingWork)];
      const outcomes: Outcome[] = [];
      for (const pending of batch) outcomes.push(await runPiece(client, pending));
      const committed = await client.query("commit");
      if (committed.command !== "COMMIT") throw rolledBackAtCommit();
      return outcomes;
    } catch (error) {
      // After a failed COMMIT the transaction is over already, and ROLLBACK only warns; if ROLLBACK itself fails, the
      // connection's state is unknown and it is not given back to the pool.
      await client.query("rollback").catch((err: Error) => (broken ??= err));
      throw error;
    } finally {
      client.off("error", onError);
      client.release(broken);
    }
  }

  // A batch starts outside any piece's frame: it must not run inside the piece that submitted work to it.
  return createGroupCommit(runBatch, { maxBatch, defer: (start) => currentPiece.exit(() => setImmediate(start)) });
}
