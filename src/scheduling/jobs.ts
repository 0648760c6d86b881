/**
 * Timed housekeeping with node-cron, in the service time zone. The database holds what is due, so a restart
 * loses nothing: each job looks at the database when it runs.
 */
import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { Awaitable } from "../base/awaitable.ts";
import { MINUTE_MS } from "../base/time.ts";

export interface Job {
  name: string;
  /** A cron expression (minute hour day month weekday). */
  schedule: string;
  run: () => Awaitable<unknown>;
  /** Runs after `run`'s transaction has committed (e.g. a WAL checkpoint, so that erased data leaves the disk). */
  afterCommit?: () => void;
  /**
   * Runs on every instance, not once across them: it brings this instance's memory up to date with the database
   * (e.g. the search index with wordings another instance approved). Default false.
   */
  everyInstance?: boolean;
}

export interface JobOptions {
  /**
   * Several instances: whether this instance runs `job` for the tick scheduled at `tick` (epoch ms of the
   * scheduled minute, the same on every instance); true for exactly one (src/cluster/job-ticks.ts). Default: every
   * tick is this process's.
   */
  claimTick?: (job: string, tick: number) => Promise<boolean>;
}

/** Starts the jobs; the returned function stops them all. */
export function startJobs(
  jobs: Job[],
  timeZone: string,
  logger: Logger,
  options: JobOptions = {},
): () => Promise<void> {
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(job.schedule, () => runScheduledJob(job, logger, options), {
      timezone: timeZone,
      noOverlap: true,
      name: job.name,
    }),
  );
  return async () => {
    for (const task of tasks) await task.destroy();
  };
}

/**
 * What happens when `job`'s schedule fires at `at` (default now): unless it runs on every instance, it runs only if
 * this instance claims the tick; its result or its failure is logged, never thrown. Resolves to whether it ran.
 */
export async function runScheduledJob(
  job: Job,
  logger: Logger,
  options: JobOptions = {},
  at: number = Date.now(),
): Promise<boolean> {
  try {
    // Rounded, not floored: instances whose clocks differ by a few seconds still name the same tick.
    const tick = Math.round(at / MINUTE_MS) * MINUTE_MS;
    if (!job.everyInstance && options.claimTick && !(await options.claimTick(job.name, tick))) return false;
    const result = await job.run();
    logger.info({ job: job.name, result }, "job done");
    return true;
  } catch (err) {
    logger.error({ job: job.name, err: { message: (err as Error).message } }, "job failed");
    return false;
  }
}
