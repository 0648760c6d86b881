/**
 * One leader among several instances on one PostgreSQL database, for the work only one may do at a time: Telegram
 * lets one `getUpdates` consumer poll a bot, so in polling mode the instances elect the poller.
 *
 * The leader is whoever holds a session-level advisory lock (`pg_try_advisory_lock`) on a connection of its own. The
 * server releases that lock the moment the session ends, so a leader that dies (kill -9, a reboot) frees it at once,
 * and a follower takes it at its next try (every `checkEveryMs`). The leader checks its connection as often, with
 * a deadline: when the check fails it steps down at once, since its session (and the lock) may be gone and another
 * instance may already lead. Between a cut connection and that check two instances may both believe they lead for
 * up to `checkEveryMs` plus the deadline; for the poller that is harmless (Telegram answers the second `getUpdates`
 * with 409 Conflict, and the inbox drops an update delivered twice).
 */
import pg from "pg";
import { advisoryKeyOf } from "../db/postgres.ts";

export interface ElectionOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** What is being led: instances that pass the same name elect one leader for it (see {@link advisoryKeyOf}). */
  name: string;
  /** Called with true when this instance becomes the leader and with false when it steps down. */
  onChange: (leading: boolean) => void;
  /** How often a follower tries to take the lead and the leader checks its connection. Default 2,000 ms. */
  checkEveryMs?: number;
  /** Deadline for connecting and for each query. Default 5,000 ms. */
  timeoutMs?: number;
  /** Told about connection failures (no URL or password in the message). Default: nothing. */
  onError?: (err: Error) => void;
}

export interface Election {
  /** Whether this instance leads now. */
  readonly leading: boolean;
  /** Steps down (if leading), closes the connection and stops trying. */
  stop(): Promise<void>;
}

/** Starts taking part in the election for `options.name`; the first try is made at once. */
export function startElection(options: ElectionOptions): Election {
  const checkEveryMs = options.checkEveryMs ?? 2_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const key = advisoryKeyOf(options.name).toString();
  let client: pg.Client | undefined;
  let leading = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let round: Promise<void> = Promise.resolve();

  function setLeading(now: boolean): void {
    if (leading === now) return;
    leading = now;
    options.onChange(now);
  }

  async function connect(): Promise<pg.Client> {
    const fresh = new pg.Client({
      connectionString: options.url,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      keepAlive: true,
      application_name: "spean-election",
    });
    // A connection the server or the network drops must not crash the process; the next check notices.
    fresh.on("error", () => undefined);
    await fresh.connect();
    return fresh;
  }

  /** Drops the connection (and with it the lock, server side) after a failure. */
  function dropConnection(err: unknown): void {
    setLeading(false);
    const old = client;
    client = undefined;
    void old?.end().catch(() => undefined);
    options.onError?.(err instanceof Error ? new Error(err.message) : new Error(String(err)));
  }

  async function tryOnce(): Promise<void> {
    try {
      client ??= await connect();
      if (leading) {
        await client.query("select 1");
      } else {
        const result = await client.query<{ taken: boolean }>("select pg_try_advisory_lock($1::bigint) as taken", [
          key,
        ]);
        if (result.rows[0]?.taken && !stopped) setLeading(true);
      }
    } catch (err) {
      dropConnection(err);
    }
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(() => {
      round = tryOnce().finally(schedule);
    }, checkEveryMs);
  }

  round = tryOnce().finally(schedule);

  return {
    get leading() {
      return leading;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await round;
      setLeading(false);
      const old = client;
      client = undefined;
      // Ending the session releases the lock; a follower takes it at its next try.
      await old?.end().catch(() => undefined);
    },
  };
}
