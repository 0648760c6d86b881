/**
 * Which instance handles a lane's updates (PostgreSQL). A lane is a chat (the inbox's `lane` column): its updates
 * must be handled one at a time and in order, and any instance behind the webhook may receive one. Before handling a
 * lane's updates an instance takes the lane's lease: one row per lane naming the holder and when the lease ends,
 * written only when the lane has no lease, the lease has run out, or the holder is this instance already (renewal).
 * While the lease holds, the other instances leave the lane's updates in the inbox; if the holder dies, its lanes
 * pass to the others once their leases run out (the lease time, a few seconds). A holder takes (renews) the lease
 * before each update it handles, and handles it within the lease time. Times are the database server's clock, so
 * instances whose clocks differ still agree on when a lease has ended.
 */
import { and, eq, sql } from "drizzle-orm";
import type { PgDb } from "../db/postgres.ts";
import { laneLeases } from "../db/pg-schema.ts";
import { SERVER_NOW_MS } from "./server-clock.ts";

export interface LaneLeases {
  /** Takes or renews the lease of `lane` for `holder`, for `ttlMs`; true when `holder` has it now. */
  take(lane: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Renews every lease `holder` has, for `ttlMs` from now (its heartbeat); returns how many it has. */
  renewAll(holder: string, ttlMs: number): Promise<number>;
  /** Gives up the lease of `lane` if `holder` has it (nothing left to handle there). */
  release(lane: string, holder: string): Promise<void>;
  /** Gives up every lease `holder` has (it stops). */
  releaseAll(holder: string): Promise<void>;
}

/** Lane leases in the PostgreSQL database `db`. */
export function createPgLaneLeases(db: PgDb): LaneLeases {
  return {
    async take(lane, holder, ttlMs) {
      const until = sql`${SERVER_NOW_MS} + ${ttlMs}`;
      const taken = await db
        .insert(laneLeases)
        .values({ lane, holder, leaseUntil: until })
        .onConflictDoUpdate({
          target: laneLeases.lane,
          set: { holder, leaseUntil: until },
          setWhere: sql`${laneLeases.holder} = ${holder} or ${laneLeases.leaseUntil} < ${SERVER_NOW_MS}`,
        })
        .returning({ holder: laneLeases.holder });
      return taken.length === 1;
    },
    async renewAll(holder, ttlMs) {
      const renewed = await db
        .update(laneLeases)
        .set({ leaseUntil: sql`${SERVER_NOW_MS} + ${ttlMs}` })
        .where(eq(laneLeases.holder, holder))
        .returning({ lane: laneLeases.lane });
      return renewed.length;
    },
    async release(lane, holder) {
      await db.delete(laneLeases).where(and(eq(laneLeases.lane, lane), eq(laneLeases.holder, holder)));
    },
    async releaseAll(holder) {
      await db.delete(laneLeases).where(eq(laneLeases.holder, holder));
    },
  };
}
