/**
 * Timed housekeeping with node-cron, in the service time zone. The database holds what is due, so a restart
 * loses nothing: each job looks at the database when it runs.
 */
import cron, { type ScheduledTask } from "node-cron";
import type { Logger } from "pino";
import type { Awaitable } from "../base/awaitable.ts";

export interface Job {
  name: string;
  /** A cron expression (minute hour day month weekday). */
  schedule: string;
  run: () => Awaitable<unknown>;
  /** Runs after `run`'s transaction has committed (e.g. a WAL checkpoint, so that erased data leaves the disk). */
  afterCommit?: () => void;
}

/** Starts the jobs; the returned function stops them all. */
export function startJobs(jobs: Job[], timeZone: string, logger: Logger): () => Promise<void> {
  const tasks: ScheduledTask[] = jobs.map((job) =>
    cron.schedule(
      job.schedule,
      async () => {
        try {
          const result = await job.run();
          logger.info({ job: job.name, result }, "job done");
        } catch (err) {
          logger.error({ job: job.name, err: { message: (err as Error).message } }, "job failed");
        }
      },
      { timezone: timeZone, noOverlap: true, name: job.name },
    ),
  );
  return async () => {
    for (const task of tasks) await task.destroy();
  };
}
