import { afterEach, describe, expect, it, vi } from "vitest";
import { createCommitQueue } from "../../src/db/commit-queue.ts";
import { openDatabase } from "../../src/db/open.ts";
import { users } from "../../src/db/schema.ts";

function setup() {
  const db = openDatabase(":memory:");
  const commits = createCommitQueue(db.$client);
  const addUser = (chatId: number) => () =>
    db.insert(users).values({ chatId, firstSeenAt: 0, lastSeenAt: 0 }).run().changes;
  const chatIds = () =>
    db
      .select({ chatId: users.chatId })
      .from(users)
      .all()
      .map((r) => r.chatId)
      .sort((a, b) => a - b);
  return { db, commits, addUser, chatIds };
}

/** Counts the transactions the queue begins on `db` from now on (its statements are prepared once). */
function countTransactions(db: ReturnType<typeof openDatabase>): () => number {
  const statementPrototype = Object.getPrototypeOf(db.$client.prepare("select 1")) as { run: () => unknown };
  const run = vi.spyOn(statementPrototype, "run");
  return () => run.mock.contexts.filter((s) => (s as { source: string }).source === "begin immediate").length;
}

afterEach(() => vi.restoreAllMocks());

describe("commit queue (group commit)", () => {
  it("runs work submitted in one loop turn in a single transaction and resolves each with its result", async () => {
    const { db, commits, addUser, chatIds } = setup();
    const transactions = countTransactions(db);
    const results = await Promise.all([1, 2, 3].map((id) => commits.run(addUser(id))));
    expect(results).toEqual([1, 1, 1]);
    expect(chatIds()).toEqual([1, 2, 3]);
    expect(transactions()).toBe(1);
  });

  it("rolls back only the failing piece of work and rejects its caller", async () => {
    const { commits, addUser, chatIds } = setup();
    const failing = () => {
      addUser(2)();
      throw new Error("turn failed");
    };
    const outcomes = await Promise.allSettled([commits.run(addUser(1)), commits.run(failing), commits.run(addUser(3))]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(chatIds()).toEqual([1, 3]);
  });

  it("takes asynchronous work: each piece awaited in turn, a failing one rolled back alone", async () => {
    const { db, commits, addUser, chatIds } = setup();
    const transactions = countTransactions(db);
    const order: string[] = [];
    const slowly = (id: number) => async () => {
      order.push(`start ${id}`);
      await Promise.resolve();
      const changes = addUser(id)();
      await Promise.resolve();
      order.push(`end ${id}`);
      return changes;
    };
    const failing = async () => {
      addUser(2)();
      await Promise.resolve();
      throw new Error("turn failed");
    };
    const outcomes = await Promise.allSettled([commits.run(slowly(1)), commits.run(failing), commits.run(slowly(3))]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(order).toEqual(["start 1", "end 1", "start 3", "end 3"]);
    expect(chatIds()).toEqual([1, 3]);
    expect(transactions()).toBe(1);
  });

  it("runs work submitted while a batch is being committed in the next batch, never inside it", async () => {
    const { db, commits, addUser, chatIds } = setup();
    const transactions = countTransactions(db);
    let later: Promise<number> | undefined;
    await commits.run(async () => {
      later = commits.run(addUser(2));
      await Promise.resolve();
      return addUser(1)();
    });
    expect(chatIds()).toEqual([1]);
    await later;
    expect(chatIds()).toEqual([1, 2]);
    expect(transactions()).toBe(2);
  });

  it("does not resolve before the work has run, and nothing is written before the commit", async () => {
    const { commits, addUser, chatIds } = setup();
    const pending = commits.run(addUser(7));
    expect(chatIds()).toEqual([]);
    await pending;
    expect(chatIds()).toEqual([7]);
  });

  it("rejects every caller when the commit itself fails, and works again afterwards", async () => {
    const { db, commits, addUser, chatIds } = setup();
    // A deferred foreign key is checked at COMMIT, not when the savepoint is released.
    db.$client.exec(
      "create table parent (id integer primary key); " +
        "create table child (parent_id integer references parent(id) deferrable initially deferred)",
    );
    const orphan = () => db.$client.prepare("insert into child values (42)").run().changes;
    const outcomes = await Promise.allSettled([commits.run(addUser(1)), commits.run(orphan)]);
    expect(outcomes.map((o) => o.status)).toEqual(["rejected", "rejected"]);
    expect(chatIds()).toEqual([]);
    await commits.run(addUser(2));
    expect(chatIds()).toEqual([2]);
  });

  it("splits a large batch so that one commit never holds the event loop for long", async () => {
    const db = openDatabase(":memory:");
    const commits = createCommitQueue(db.$client, 10);
    const transactions = countTransactions(db);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        commits.run(() => db.insert(users).values({ chatId: i, firstSeenAt: 0, lastSeenAt: 0 }).run()),
      ),
    );
    expect(transactions()).toBe(3); // 3 transactions for 25 pieces of work
  });

  it("keeps working with fake timers installed (it schedules with node:timers)", async () => {
    vi.useFakeTimers();
    try {
      const { commits, addUser, chatIds } = setup();
      await commits.run(addUser(5));
      expect(chatIds()).toEqual([5]);
    } finally {
      vi.useRealTimers();
    }
  });
});
