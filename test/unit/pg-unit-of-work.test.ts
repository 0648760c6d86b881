/**
 * The PostgreSQL unit of work (src/db/pg-unit-of-work.ts) against the real test server: group commit in one
 * transaction, a failing piece rolled back alone, stores finding the open transaction, and failures of the commit and
 * of the connection itself.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createPgConversationStore } from "../../src/conversations/pg-store.ts";
import { unwrapQueryError } from "../../src/db/pg-errors.ts";
import { createPgInboxStore } from "../../src/inbox/pg-store.ts";
import { createPgOutboxStore } from "../../src/outbox/pg-store.ts";
import { createPgCommitQueue, executor, inUnitOfWork } from "../../src/db/pg-unit-of-work.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import { errorCode } from "../../src/base/errors.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { describePostgres, freshPostgresDatabase } from "../helpers/postgres.ts";

let db: PgDb;
/** Another connection to the same database: it sees only what has been committed. */
let other: pg.Client;
let drop: () => Promise<void>;
let url: string;
const cipher = createFieldCipher(Buffer.alloc(32, 5));

/** The id of the transaction the caller's queries run in (a new one per statement outside a unit of work). */
async function transactionId(): Promise<string> {
  const result = await executor(db).execute<{ id: string }>(sql`select txid_current()::text as id`);
  return result.rows[0]!.id;
}

/** The chat ids in `users` as another connection sees them (committed rows only). */
async function committedChats(): Promise<number[]> {
  const { rows } = await other.query<{ chat_id: string }>("select chat_id from users order by chat_id");
  return rows.map((r) => Number(r.chat_id));
}

/** Each piece's outcome: "ok", the SQLSTATE of a database error, or the message of any other error. */
async function outcomes(pieces: Promise<unknown>[]): Promise<string[]> {
  return (await Promise.allSettled(pieces)).map((o) => {
    if (o.status === "fulfilled") return "ok";
    const err = unwrapQueryError(o.reason) as Error & { code?: string };
    return err.code ?? err.message;
  });
}

describePostgres("the PostgreSQL unit of work (group commit)", () => {
  beforeAll(async () => {
    const fresh = await freshPostgresDatabase();
    drop = fresh.drop;
    url = fresh.url;
    db = await openPostgres(fresh.url, { maxConnections: 4 });
    other = new pg.Client({ connectionString: fresh.url });
    await other.connect();
    // A foreign key checked at COMMIT, not when the statement or the savepoint ends.
    await other.query(
      "create table parent (id bigint primary key); " +
        "create table child (parent_id bigint references parent(id) deferrable initially deferred)",
    );
  });
  afterAll(async () => {
    await other?.end();
    await db?.$client.end();
    await drop?.();
  });
  beforeEach(async () => {
    await other.query("truncate users, conversations, child, parent, inbox, outbox");
  });

  it("runs the pieces submitted together one after another in one transaction, each with its result", async () => {
    const commits = createPgCommitQueue(db);
    const order: string[] = [];
    const piece = (n: number) => async () => {
      order.push(`start ${n}`);
      const id = await transactionId();
      await sleep(5);
      order.push(`end ${n}`);
      return id;
    };
    const ids = await Promise.all([1, 2, 3].map((n) => commits.run(piece(n))));
    expect(new Set(ids).size).toBe(1);
    expect(order).toEqual(["start 1", "end 1", "start 2", "end 2", "start 3", "end 3"]);
  });

  it("rolls back a failing piece alone; the others commit and the failing caller gets its own error", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const results = await outcomes([
      commits.run(() => store.touch(1, 1)),
      commits.run(async () => {
        await store.touch(2, 2);
        throw new Error("turn failed");
      }),
      commits.run(async () => {
        await store.touch(3, 3);
        return store.countUsers();
      }),
    ]);
    expect(results).toEqual(["ok", "turn failed", "ok"]);
    expect(await committedChats()).toEqual([1, 3]);
  });

  it("rolls back a failing query's piece alone (the transaction goes on after the savepoint)", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const results = await outcomes([
      commits.run(() => store.touch(1, 1)),
      commits.run(async () => {
        await store.touch(2, 2);
        await executor(db).execute(sql`select 1 / 0`);
      }),
      commits.run(() => store.touch(3, 3)),
    ]);
    expect(results).toEqual(["ok", "22012", "ok"]);
    expect(await committedChats()).toEqual([1, 3]);
  });

  it("rejects a piece that swallowed a database error (PostgreSQL aborted its transaction)", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const results = await outcomes([
      commits.run(async () => {
        await store.touch(1, 1);
        await executor(db)
          .execute(sql`select 1 / 0`)
          .catch(() => undefined);
      }),
      commits.run(() => store.touch(2, 2)),
    ]);
    expect(results).toEqual(["25P02", "ok"]);
    expect(await committedChats()).toEqual([2]);
  });

  it("a piece alone in its batch (no savepoint): a failure commits nothing, a swallowed error rejects", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const failed = commits.run(async () => {
      await store.touch(1, 1);
      throw new Error("turn failed");
    });
    await expect(failed).rejects.toThrow("turn failed");
    const swallowed = commits.run(async () => {
      await store.touch(2, 2);
      await executor(db)
        .execute(sql`select 1 / 0`)
        .catch(() => undefined);
    });
    await expect(swallowed).rejects.toMatchObject({ code: "40000" });
    await commits.run(() => store.touch(3, 3));
    expect(await committedChats()).toEqual([3]);
  });

  it("lets a store in a piece see the piece's own writes, which no other connection sees before COMMIT", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    let seenOutside: number[] | undefined;
    const done = commits.run(async () => {
      expect(inUnitOfWork(db)).toBe(true);
      await store.touch(1, 1);
      await store.setLocale(1, "km");
      seenOutside = await committedChats();
      return store.localeOf(1);
    });
    expect(await done).toBe("km");
    expect(seenOutside).toEqual([]);
    // The caller's promise settles after COMMIT: the row is there for everyone now.
    expect(await committedChats()).toEqual([1]);
  });

  it("turns a store's own transaction inside a piece into a nested savepoint, committed with the batch", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const addParent = (id: number) => executor(db).execute(sql`insert into parent values (${id})`);
    let seenOutside: number[] | undefined;
    const results = await outcomes([
      commits.run(async () => {
        await executor(db).transaction(async (tx) => {
          await store.touch(1, 1);
          await tx.execute(sql`insert into parent values (1)`);
        });
        await executor(db)
          .transaction(async () => {
            await addParent(2);
            throw new Error("inner failed");
          })
          .catch(() => undefined);
        seenOutside = await committedChats();
      }),
      commits.run(async () => {
        await executor(db).transaction(async () => {
          await store.touch(3, 3);
        });
        throw new Error("turn failed");
      }),
    ]);
    expect(results).toEqual(["ok", "turn failed"]);
    expect(seenOutside).toEqual([]);
    expect(await committedChats()).toEqual([1]);
    const { rows } = await other.query<{ id: string }>("select id from parent");
    expect(rows.map((r) => Number(r.id))).toEqual([1]);
  });

  it("runs work submitted from inside a batch in the next batch, after this one has committed", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    let later: Promise<{ id: string; committed: number[] }> | undefined;
    const first = await commits.run(async () => {
      later = commits.run(async () => ({ id: await transactionId(), committed: await committedChats() }));
      await store.touch(1, 1);
      await sleep(10);
      return transactionId();
    });
    const second = await later!;
    expect(second.id).not.toBe(first);
    expect(second.committed).toEqual([1]);
  });

  it("gathers work submitted while a batch is on the wire into the next batch, maxBatch at most", async () => {
    const commits = createPgCommitQueue(db, 3);
    const ids = await Promise.all(Array.from({ length: 7 }, () => commits.run(transactionId)));
    expect(new Set(ids).size).toBe(3);
    expect(ids[0]).toBe(ids[2]);
    expect(ids[3]).toBe(ids[5]);
    expect(ids[6]).not.toBe(ids[5]);
  });

  it("rejects every piece of the batch when COMMIT fails, and works again afterwards", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const orphan = () => executor(db).execute(sql`insert into child values (42)`);
    const results = await outcomes([commits.run(() => store.touch(1, 1)), commits.run(orphan)]);
    expect(results).toEqual(["23503", "23503"]);
    expect(await committedChats()).toEqual([]);
    await commits.run(() => store.touch(2, 2));
    expect(await committedChats()).toEqual([2]);
  });

  it("rejects the whole batch when its connection is terminated, and goes on with a new one", async () => {
    const commits = createPgCommitQueue(db);
    const store = createPgConversationStore(db, cipher);
    const results = await outcomes([
      commits.run(() => store.touch(1, 1)),
      commits.run(async () => {
        const { rows } = await executor(db).execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
        // Terminated by someone else while the piece is between two queries: the pooled connection reports an
        // 'error' event with no query running, which must not crash the process.
        await other.query("select pg_terminate_backend($1)", [rows[0]!.pid]);
        await sleep(100);
        await store.touch(2, 2);
      }),
      commits.run(() => store.touch(3, 3)),
    ]);
    expect(results.every((r) => r !== "ok")).toBe(true);
    expect(await committedChats()).toEqual([]);
    await commits.run(() => store.touch(4, 4));
    expect(await committedChats()).toEqual([4]);
  });

  it("a piece holding its transaction idle past the deadline is cut off by the server; the queue goes on", async () => {
    const strict = await openPostgres(url, { maxConnections: 2, idleInTransactionTimeoutMs: 300 });
    try {
      const commits = createPgCommitQueue(strict);
      let release: () => void = () => undefined;
      const stuck = commits.run(async () => {
        await executor(strict).execute(sql`select 1`);
        // Waits on something that is not the database, far past the deadline.
        await new Promise<void>((resolve) => (release = resolve));
      });
      const settled = stuck.then(
        () => "committed",
        (err: Error & { code?: string }) => err.code ?? err.message,
      );
      const idleInTransaction = async () =>
        (
          await other.query(
            "select count(*)::int as n from pg_stat_activity " +
              "where datname = current_database() and state = 'idle in transaction'",
          )
        ).rows[0].n;
      await vi.waitFor(async () => expect(await idleInTransaction()).toBe(1), { timeout: 5_000, interval: 20 });
      await vi.waitFor(async () => expect(await idleInTransaction()).toBe(0), { timeout: 5_000, interval: 100 });
      release();
      expect(await settled).not.toBe("committed");
      expect(await commits.run(async () => (await executor(strict).execute(sql`select 2 as n`)).rows[0])).toEqual({
        n: 2,
      });
    } finally {
      await strict.$client.end();
    }
  });

  it("rejects a store's failed query with the driver's error: SQLSTATE as code, no parameters", async () => {
    const store = createPgConversationStore(db, cipher, () => 1.5); // not a bigint
    const error = await store.touch(123_456_789, 987_654_321).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect(errorCode(error)).toBe("22P02");
    expect((error as Error).message).not.toContain("123456789");
    expect((error as Error).message).not.toContain("insert into");
  });

  it("outside a unit of work, a store runs on the pool and each write commits at once", async () => {
    const store = createPgConversationStore(db, cipher);
    expect(inUnitOfWork(db)).toBe(false);
    expect(executor(db)).toBe(db);
    await store.touch(1, 1);
    expect(await committedChats()).toEqual([1]);
    expect(await transactionId()).not.toBe(await transactionId());
  });

  it("never gives a piece's transaction to a store on another pool, or to work the piece left running", async () => {
    const another = await openPostgres(url, { maxConnections: 2 });
    try {
      const commits = createPgCommitQueue(another);
      const store = createPgConversationStore(db, cipher);
      let leftRunning: Promise<boolean> | undefined;
      const results = await outcomes([
        commits.run(async () => {
          expect(inUnitOfWork(another)).toBe(true);
          expect(inUnitOfWork(db)).toBe(false);
          await store.touch(1, 1); // db's pool: committed at once, whatever becomes of this piece
          leftRunning = sleep(50).then(() => inUnitOfWork(another));
          throw new Error("turn failed");
        }),
      ]);
      expect(results).toEqual(["turn failed"]);
      expect(await committedChats()).toEqual([1]);
      expect(await leftRunning).toBe(false);
    } finally {
      await another.$client.end();
    }
  });

  describe("claims between instances (for update skip locked)", () => {
    /** Runs a piece on `db` that does `first` and then holds its transaction open until `finish` is called. */
    async function holding<T>(first: () => Promise<T>, fail = false) {
      let finish!: () => void;
      const held = new Promise<void>((resolve) => (finish = resolve));
      let got!: (value: T) => void;
      const gotten = new Promise<T>((resolve) => (got = resolve));
      const done = createPgCommitQueue(db).run(async () => {
        got(await first());
        await held;
        if (fail) throw new Error("turn failed");
      });
      return { value: await gotten, finish: async () => (finish(), done.catch(() => undefined)) };
    }

    it("an outbox row claimed in an open transaction is refused at once to another instance", async () => {
      const second = await openPostgres(url, { maxConnections: 2 });
      try {
        const here = createPgOutboxStore(db, cipher);
        const there = createPgOutboxStore(second, cipher);
        const message = { kind: "text", text: "x" } as const;
        const id = (await here.enqueue({ dedupeKey: "k", chatId: 1, purpose: "reply", message }))!;
        const claim = await holding(() => here.claim(id));
        expect(claim.value).toBe(true);
        const started = Date.now();
        expect(await there.claim(id)).toBe(false);
        expect(Date.now() - started).toBeLessThan(1_000);
        await claim.finish();
        expect(await there.counts()).toEqual({ sending: 1 });
      } finally {
        await second.$client.end();
      }
    });

    it("an outbox row whose claim is rolled back can be claimed by another instance", async () => {
      const second = await openPostgres(url, { maxConnections: 2 });
      try {
        const here = createPgOutboxStore(db, cipher);
        const there = createPgOutboxStore(second, cipher);
        const message = { kind: "text", text: "x" } as const;
        const id = (await here.enqueue({ dedupeKey: "k", chatId: 1, purpose: "reply", message }))!;
        const claim = await holding(() => here.claim(id), true);
        await claim.finish();
        expect(await there.claim(id)).toBe(true);
      } finally {
        await second.$client.end();
      }
    });

    it("a lane whose oldest update is held in a transaction has nothing for another instance", async () => {
      const second = await openPostgres(url, { maxConnections: 2 });
      try {
        const here = createPgInboxStore(db, cipher);
        const there = createPgInboxStore(second, cipher);
        for (const id of [1, 2]) await here.ingest({ update_id: id, message: { chat: { id: 7 }, text: "x" } });
        const taken = await holding(() => here.nextInLane("chat:7"));
        expect(taken.value?.updateId).toBe(1);
        expect(await there.nextInLane("chat:7")).toBeUndefined();
        await taken.finish();
        expect((await there.nextInLane("chat:7"))?.updateId).toBe(1);
      } finally {
        await second.$client.end();
      }
    });
  });
});
