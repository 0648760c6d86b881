/**
 * Each scheduled job once per tick across instances (PostgreSQL). Every instance runs the same cron schedule; when
 * a job fires, the instance first claims the tick (the job's name and the scheduled time) by inserting it into
 * job_ticks, whose primary key is that pair. Exactly one insert succeeds: that instance runs the job, the others
 * skip it. An instance that dies after claiming loses that tick's run; the next tick is claimed afresh, and the
 * jobs are written to catch up on what an earlier tick left (reminders due, text past its retention).
 */
import { lt } from "drizzle-orm";
import type { PgDb } from "../db/postgres.ts";
import { jobTicks } from "../db/pg-schema.ts";
import { SERVER_NOW_MS } from "./server-clock.ts";

export interface JobTicks {
  /**
   * Whether this instance runs `job` for the tick scheduled at `tick` (epoch ms, the same on every instance: the
   * scheduled minute, not the moment the timer fired). True for exactly one claimant.
   */
  claim(job: string, tick: number, holder: string): Promise<boolean>;
  /** Removes the claims of ticks before `before` (epoch ms); returns how many. */
  prune(before: number): Promise<number>;
}

/** Tick claims in the PostgreSQL database `db`. */
export function createPgJobTicks(db: PgDb): JobTicks {
  return {
    async claim(job, tick, holder) {
      const inserted = await db
        .insert(jobTicks)
        .values({ job, tick, holder, claimedAt: SERVER_NOW_MS })
        .onConflictDoNothing()
        .returning({ job: jobTicks.job });
      return inserted.length === 1;
    },
    async prune(before) {
      const removed = await db.delete(jobTicks).where(lt(jobTicks.tick, before)).returning({ job: jobTicks.job });
      return removed.length;
    },
  };
}
