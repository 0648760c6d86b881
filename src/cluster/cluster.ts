/**
 * What one instance needs to share a PostgreSQL database with others, in one place: its name among them (the
 * holder of its leases), the lanes' leases for the inbox worker with their heartbeat, the bot's shared send pace
 * for the sender, the job-tick claims for the scheduled jobs, and the election of the poller. The service creates
 * one when it runs on PostgreSQL (src/service/service.ts); on SQLite one process holds the database and none of
 * this is used.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Logger } from "pino";
import { errorCode } from "../base/errors.ts";
import { DAY_MS } from "../base/time.ts";
import type { PgDb } from "../db/postgres.ts";
import type { LaneClaims } from "../inbox/worker.ts";
import type { SharedPace } from "../outbox/sender.ts";
import { type Election, startElection } from "./election.ts";
import { createPgJobTicks } from "./job-ticks.ts";
import { createPgLaneLeases } from "./lane-leases.ts";
import { createPgSendPace } from "./send-pace.ts";

export interface ClusterOptions {
  db: PgDb;
  /** The database's URL: the election holds its lock on a connection of its own. */
  url: string;
  /** Whose Telegram limits and whose poller: the bot's id (the token's part before the colon). */
  bot: string;
  /** How long a lane's lease lasts without renewal; renewed every third of it while held. */
  leaseMs: number;
  /** The bot's overall messages a second, shared by the instances. */
  ratePerSecond: number;
  /** Milliseconds between two messages to one chat once its burst is spent. */
  chatIntervalMs: number;
  logger: Logger;
}

export interface Cluster {
  /** This instance's name in leases and tick claims: host, process id and a random part (a restart is new). */
  readonly holder: string;
  /** The inbox worker's lane leases. */
  readonly lanes: LaneClaims;
  /** The sender's shared pace. */
  readonly pace: SharedPace;
  /** Whether this instance runs `job`'s tick (true for exactly one instance). */
  claimTick(job: string, tick: number): Promise<boolean>;
  /** Starts taking part in the election of the poller; `onChange` hears when this instance leads or stops. */
  electPoller(onChange: (leading: boolean) => void): Election;
  /** Forgets tick claims older than a day and chats' paces in the past (a job, once across instances). */
  prune(): Promise<{ ticks: number; paces: number }>;
  /** Starts the leases' heartbeat. */
  start(): void;
  /** Stops the heartbeat and gives up every lease this instance still has. */
  stop(): Promise<void>;
}

/** Creates this instance's part in the cluster over `options.db`; nothing runs until start(). */
export function createCluster(options: ClusterOptions): Cluster {
  const { db, leaseMs, logger } = options;
  const holder = `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`;
  const leases = createPgLaneLeases(db);
  const ticks = createPgJobTicks(db);
  const pace = createPgSendPace(db, {
    bot: options.bot,
    ratePerSecond: options.ratePerSecond,
    chatIntervalMs: options.chatIntervalMs,
  });
  let heartbeat: NodeJS.Timeout | undefined;

  return {
    holder,
    lanes: {
      take: (lane) => leases.take(lane, holder, leaseMs),
      release: (lane) => leases.release(lane, holder),
    },
    pace,
    claimTick: (job, tick) => ticks.claim(job, tick, holder),
    electPoller: (onChange) =>
      startElection({
        url: options.url,
        name: `spean:poller:${options.bot}`,
        onChange,
        onError: (err) => logger.warn({ code: errorCode(err) }, "poller election: connection lost"),
      }),
    async prune() {
      return { ticks: await ticks.prune(Date.now() - DAY_MS), paces: await pace.prune() };
    },
    start() {
      // A lane being handled stays this instance's while it lives, however long one update takes (a slow
      // Telegram); when it dies the heartbeat stops and its lanes pass on after `leaseMs`.
      heartbeat ??= setInterval(
        () => {
          leases.renewAll(holder, leaseMs).catch((err: unknown) => {
            logger.warn({ code: errorCode(err) }, "renewing lane leases failed");
          });
        },
        Math.max(200, Math.floor(leaseMs / 3)),
      );
      heartbeat.unref();
    },
    async stop() {
      clearInterval(heartbeat);
      heartbeat = undefined;
      await leases.releaseAll(holder).catch((err: unknown) => {
        logger.warn({ code: errorCode(err) }, "giving up lane leases failed; they run out by themselves");
      });
    },
  };
}
