/**
 * What lets several instances share one PostgreSQL database (src/cluster/), against a real server: each "instance"
 * here is a pool (or connection) of its own, as a separate process would have, and they race for real.
 */
import { spawn } from "node:child_process";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCluster } from "../../src/cluster/cluster.ts";
import { startElection, type Election } from "../../src/cluster/election.ts";
import { createPgJobTicks } from "../../src/cluster/job-ticks.ts";
import { createPgLaneLeases } from "../../src/cluster/lane-leases.ts";
import { createPgSendPace } from "../../src/cluster/send-pace.ts";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { openPostgres, type PgDb } from "../../src/db/postgres.ts";
import { createLogger } from "../../src/logger.ts";
import { describePostgres, freshPostgresDatabase } from "../helpers/postgres.ts";

let database: { url: string; drop: () => Promise<void> };
/** Three instances' connections to the same database. */
let instances: PgDb[];

beforeAll(async () => {
  database = await freshPostgresDatabase();
  instances = [];
  for (let i = 0; i < 3; i++) instances.push(await openPostgres(database.url, { maxConnections: 4 }));
}, 60_000);
afterAll(async () => {
  for (const db of instances ?? []) await db.$client.end();
  await database?.drop();
});

/** Resolves once `check` holds (tried every 20 ms), or fails after `withinMs`. */
async function until(check: () => boolean, withinMs: number): Promise<number> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > withinMs) throw new Error(`not within ${withinMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
}

describePostgres("several instances on one PostgreSQL database", () => {
  describe("job ticks", () => {
    it("let exactly one instance run each tick of a job, however many claim it at once", async () => {
      const ticks = instances.map((db) => createPgJobTicks(db));
      for (const tick of [60_000, 120_000, 180_000]) {
        const claims = await Promise.all(
          ticks.flatMap((t, i) => [t.claim("reminders", tick, `i${i}`), t.claim("reminders", tick, `i${i}b`)]),
        );
        expect(claims.filter(Boolean)).toHaveLength(1);
        // Another job's tick at the same minute is its own.
        expect(await ticks[0]!.claim("retention", tick, "i0")).toBe(true);
      }
      expect(await ticks[1]!.prune(120_000)).toBe(2);
      // A pruned tick could be claimed again: prune only ticks long past.
      expect(await ticks[2]!.claim("reminders", 180_000, "i2")).toBe(false);
    });
  });

  describe("lane leases", () => {
    it("give a lane to one instance at a time, renew for the holder, and pass on when the holder is gone", async () => {
      const leases = instances.map((db) => createPgLaneLeases(db));
      const first = await Promise.all(leases.map((l, i) => l.take("chat:1", `i${i}`, 400)));
      expect(first.filter(Boolean)).toHaveLength(1);
      const holder = first.indexOf(true);
      const others = [0, 1, 2].filter((i) => i !== holder);
      // The holder renews; the others still cannot take it.
      expect(await leases[holder]!.take("chat:1", `i${holder}`, 400)).toBe(true);
      expect(await leases[others[0]!]!.take("chat:1", `i${others[0]}`, 400)).toBe(false);
      expect(await leases[holder]!.renewAll(`i${holder}`, 400)).toBe(1);
      // The holder stops renewing (it died): once the lease has run out, another instance takes the lane.
      const waited = await (async () => {
        const started = Date.now();
        while (!(await leases[others[1]!]!.take("chat:1", `i${others[1]}`, 400))) {
          if (Date.now() - started > 5_000) throw new Error("the lane never passed on");
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return Date.now() - started;
      })();
      expect(waited).toBeGreaterThanOrEqual(300);
      expect(await leases[holder]!.take("chat:1", `i${holder}`, 400)).toBe(false);
      // Released, a lane is free at once.
      await leases[others[1]!]!.release("chat:1", `i${others[1]}`);
      expect(await leases[holder]!.take("chat:1", `i${holder}`, 400)).toBe(true);
      // Lanes are independent.
      expect(await leases[others[0]!]!.take("chat:2", `i${others[0]}`, 400)).toBe(true);
    });

    it("releaseAll gives up every lane of one holder at once, and no other holder's", async () => {
      const [mine, theirs, third] = instances.map((db) => createPgLaneLeases(db));
      for (const lane of ["chat:60", "chat:61"]) expect(await mine!.take(lane, "stopping", 60_000)).toBe(true);
      expect(await theirs!.take("chat:62", "staying", 60_000)).toBe(true);
      await mine!.releaseAll("stopping");
      for (const lane of ["chat:60", "chat:61"]) expect(await third!.take(lane, "next", 60_000)).toBe(true);
      expect(await third!.take("chat:62", "next", 60_000)).toBe(false);
      expect(await mine!.renewAll("stopping", 60_000)).toBe(0);
    });

    it("never have two holders at once for lanes taken concurrently", async () => {
      const leases = instances.map((db) => createPgLaneLeases(db));
      const lanes = Array.from({ length: 40 }, (_, i) => `chat:${100 + i}`);
      const results = await Promise.all(
        lanes.flatMap((lane) => leases.map((l, i) => l.take(lane, `i${i}`, 10_000).then((ok) => ({ lane, ok })))),
      );
      for (const lane of lanes) expect(results.filter((r) => r.lane === lane && r.ok)).toHaveLength(1);
    });
  });

  describe("an instance's cluster (createCluster)", () => {
    const clusterOf = (db: PgDb, leaseMs: number) =>
      createCluster({
        db,
        url: database.url,
        bot: "cluster-test",
        leaseMs,
        ratePerSecond: 25,
        chatIntervalMs: 1000,
        logger: createLogger("silent"),
      });

    it("keeps its lanes' leases alive by a heartbeat while it runs, and gives them all up when it stops", async () => {
      const leaseMs = 600;
      const cluster = clusterOf(instances[0]!, leaseMs);
      const other = createPgLaneLeases(instances[1]!);
      cluster.start();
      try {
        expect(await cluster.lanes.take("chat:70")).toBe(true);
        expect(await cluster.lanes.take("chat:71")).toBe(true);
        // Well past the lease time, with no take of its own since: the heartbeat has renewed the leases.
        const started = Date.now();
        while (Date.now() - started < leaseMs + 300) {
          expect(await other.take("chat:70", "other", leaseMs)).toBe(false);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        expect(await other.take("chat:71", "other", leaseMs)).toBe(false);
      } finally {
        await cluster.stop();
      }
      // Stopped: another instance takes its lanes at once, without waiting for the leases to run out.
      expect(await other.take("chat:70", "other", leaseMs)).toBe(true);
      expect(await other.take("chat:71", "other", leaseMs)).toBe(true);
    });

    it("names each instance differently, and releases a lane it has nothing left in", async () => {
      const [a, b] = [clusterOf(instances[0]!, 10_000), clusterOf(instances[1]!, 10_000)];
      expect(a.holder).not.toBe(b.holder);
      expect(await a.lanes.take("chat:80")).toBe(true);
      expect(await b.lanes.take("chat:80")).toBe(false);
      await b.lanes.release("chat:80"); // not b's: nothing changes
      expect(await b.lanes.take("chat:80")).toBe(false);
      await a.lanes.release("chat:80");
      expect(await b.lanes.take("chat:80")).toBe(true);
      await b.stop();
      await a.stop();
    });
  });

  describe("the shared send pace", () => {
    it("keeps three instances sending together under the bot's rate", async () => {
      const rate = 20;
      const paces = instances.map((db) => createPgSendPace(db, { bot: "rate-test", ratePerSecond: rate }));
      const sentAt: number[] = [];
      const started = Date.now();
      // Each instance sends to its own chats as fast as the pace lets it, for 1.5 s.
      await Promise.all(
        paces.map(async (pace, i) => {
          let chat = 1_000 * (i + 1);
          while (Date.now() - started < 1_500) {
            const slot = await pace.take(chat++, 5);
            if (slot.granted) sentAt.push(Date.now() - started);
            else await new Promise((resolve) => setTimeout(resolve, Math.min(slot.retryInMs, 50)));
          }
        }),
      );
      // At most the burst (rate / 5) plus the rate for the time that passed, with no instance getting more.
      const burst = rate / 5;
      expect(sentAt.length).toBeLessThanOrEqual(burst + Math.ceil((rate * 1_500) / 1000) + 1);
      expect(sentAt.length).toBeGreaterThanOrEqual(Math.floor((rate * 1_500) / 1000) - 2);
      // In any one second, never more than the rate plus the burst.
      for (const t of sentAt)
        expect(sentAt.filter((u) => u >= t && u < t + 1000).length).toBeLessThanOrEqual(rate + burst);
    });

    it("gives a chat a burst of five direct replies, then one a second; queued messages keep the second", async () => {
      const [a, b] = instances.map((db) => createPgSendPace(db, { bot: "chat-test", ratePerSecond: 1000 }));
      const direct = [];
      for (let i = 0; i < 6; i++) direct.push(await (i % 2 ? a! : b!).take(7, 5));
      expect(direct.slice(0, 5).every((s) => s.granted)).toBe(true);
      const refused = direct[5]!;
      expect(refused.granted).toBe(false);
      expect(refused.granted === false && refused.retryInMs).toBeGreaterThan(0);
      expect(refused.granted === false && refused.retryInMs).toBeLessThanOrEqual(1000);
      expect(await a!.take(8)).toEqual({ granted: true });
      const second = await b!.take(8);
      expect(second.granted === false && second.retryInMs).toBeGreaterThan(900);
    });

    it("holds all sends while Telegram asked the bot to wait, and forgets chats whose pace is past", async () => {
      const [a, b, c] = instances.map((db) => createPgSendPace(db, { bot: "hold-test", chatIntervalMs: 100 }));
      expect(await a!.take(1)).toEqual({ granted: true });
      await b!.holdAll(600);
      const held = await c!.take(2);
      expect(held.granted).toBe(false);
      expect(held.granted === false && held.retryInMs).toBeGreaterThan(400);
      const waited = await (async () => {
        const started = Date.now();
        while (!(await a!.take(3)).granted) await new Promise((resolve) => setTimeout(resolve, 25));
        return Date.now() - started;
      })();
      expect(waited).toBeGreaterThanOrEqual(400);
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await c!.prune()).toBeGreaterThanOrEqual(2);
    });
  });

  describe("electing one leader (the poller)", () => {
    const elections: Election[] = [];
    afterAll(async () => {
      for (const e of elections) await e.stop();
    });

    it("elects one, and another within seconds when the leader's session dies or it stops", async () => {
      const events: string[] = [];
      const start = (id: string) => {
        const election = startElection({
          url: database.url,
          name: "poller:test-bot",
          checkEveryMs: 200,
          timeoutMs: 2_000,
          onChange: (leading) => events.push(`${id}:${leading ? "leads" : "steps down"}`),
        });
        elections.push(election);
        return election;
      };
      const a = start("a");
      const b = start("b");
      await until(() => a.leading || b.leading, 5_000);
      // Give the other a few tries: it must not lead too.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect([a.leading, b.leading].filter(Boolean)).toHaveLength(1);
      const [leader, follower] = a.leading ? [a, b] : [b, a];

      // The leader's session is killed on the server (as when its machine dies): the follower takes over, and the
      // old leader, finding its connection gone, steps down.
      const admin = new pg.Client({ connectionString: database.url });
      await admin.connect();
      try {
        await admin.query(
          "select pg_terminate_backend(pid) from pg_locks" +
            " where locktype = 'advisory' and granted and pid <> pg_backend_pid()",
        );
      } finally {
        await admin.end();
      }
      const tookOver = await until(() => follower.leading, 5_000);
      expect(tookOver).toBeLessThan(2_000);
      await until(() => !leader.leading, 5_000);
      // The old leader comes back as a follower, not as a second leader.
      await new Promise((resolve) => setTimeout(resolve, 600));
      expect([a.leading, b.leading].filter(Boolean)).toHaveLength(1);

      // A leader that stops (a clean shutdown) hands over just as fast.
      await follower.stop();
      expect(follower.leading).toBe(false);
      expect(await until(() => leader.leading, 5_000)).toBeLessThan(2_000);
      expect(events.filter((e) => e.endsWith("leads")).length).toBe(3);
    }, 30_000);

    it("moves the lead to another process within seconds when the leader's process is killed (SIGKILL)", async () => {
      const processes = ["a", "b"].map(() => {
        const child = spawn(
          process.execPath,
          ["--import", "tsx", "test/helpers/election-process.ts", database.url, "poller:kill-test"],
          {
            cwd: PROJECT_ROOT,
            stdio: ["ignore", "pipe", "inherit"],
          },
        );
        const lines: string[] = [];
        child.stdout
          .setEncoding("utf8")
          .on("data", (chunk: string) => lines.push(...chunk.split("\n").filter(Boolean)));
        return { child, lines, leads: () => lines.filter((l) => l === "leads").length };
      });
      try {
        await until(() => processes.every((p) => p.lines.includes("started")), 20_000);
        await until(() => processes.some((p) => p.leads() === 1), 10_000);
        await new Promise((resolve) => setTimeout(resolve, 750));
        expect(processes.filter((p) => p.leads() === 1)).toHaveLength(1);
        const leader = processes.find((p) => p.leads() === 1)!;
        const follower = processes.find((p) => p !== leader)!;
        leader.child.kill("SIGKILL");
        const tookOver = await until(() => follower.leads() === 1, 10_000);
        expect(tookOver).toBeLessThan(3_000);
      } finally {
        for (const p of processes) p.child.kill("SIGKILL");
      }
    }, 60_000);

    it("keeps trying while the database cannot be reached, and never claims to lead meanwhile", async () => {
      const errors: string[] = [];
      const unreachable = new URL(database.url);
      unreachable.port = "1"; // nothing listens there
      const election = startElection({
        url: unreachable.toString(),
        name: "poller:nowhere",
        checkEveryMs: 100,
        timeoutMs: 500,
        onChange: () => errors.push("changed"),
        onError: (err) => errors.push(err.message),
      });
      elections.push(election);
      await until(() => errors.length >= 2, 5_000);
      expect(election.leading).toBe(false);
      expect(errors).not.toContain("changed");
      expect(errors.join(" ")).not.toContain(unreachable.toString());
    });
  });
});
