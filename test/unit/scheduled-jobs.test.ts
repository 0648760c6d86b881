/**
 * What happens when a job's schedule fires (src/scheduling/jobs.ts, runScheduledJob): with several instances a job
 * runs only on the instance that claims its tick, unless it runs on every instance; the tick is the scheduled
 * minute, the same on every instance; a failure is logged, never thrown.
 */
import type { Logger } from "pino";
import { describe, expect, it, vi } from "vitest";
import { type Job, runScheduledJob } from "../../src/scheduling/jobs.ts";

/** A logger that keeps what was logged. */
function recordingLogger() {
  const info = vi.fn();
  const error = vi.fn();
  return { logger: { info, error, warn: vi.fn(), debug: vi.fn() } as unknown as Logger, info, error };
}

function job(extra: Partial<Job> = {}) {
  const run = vi.fn(async () => ({ erased: 2 }));
  return { job: { name: "retention", schedule: "* * * * *", run, ...extra } satisfies Job, run };
}

const NOON = Date.parse("2026-11-21T12:00:00.000Z");

describe("runScheduledJob", () => {
  it("does not run the job when another instance claimed its tick", async () => {
    const { job: retention, run } = job();
    const claimTick = vi.fn(async () => false);
    const { logger } = recordingLogger();
    expect(await runScheduledJob(retention, logger, { claimTick }, NOON)).toBe(false);
    expect(claimTick).toHaveBeenCalledTimes(1);
    expect(run).not.toHaveBeenCalled();
  });

  it("runs the job once when this instance claims the tick, and logs its result", async () => {
    const { job: retention, run } = job();
    const claimTick = vi.fn(async () => true);
    const { logger, info } = recordingLogger();
    expect(await runScheduledJob(retention, logger, { claimTick }, NOON)).toBe(true);
    expect(claimTick).toHaveBeenCalledWith("retention", NOON);
    expect(run).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith({ job: "retention", result: { erased: 2 } }, "job done");
  });

  it("runs a job meant for every instance without claiming a tick", async () => {
    const { job: sync, run } = job({ name: "cluster-sync", everyInstance: true });
    const claimTick = vi.fn(async () => false);
    expect(await runScheduledJob(sync, recordingLogger().logger, { claimTick }, NOON)).toBe(true);
    expect(claimTick).not.toHaveBeenCalled();
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("runs every tick when nothing claims ticks (one process)", async () => {
    const { job: retention, run } = job();
    expect(await runScheduledJob(retention, recordingLogger().logger, {}, NOON)).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
  });

  it("names the tick by the nearest whole minute, so instances whose clocks differ by seconds agree", async () => {
    const ticks: number[] = [];
    const claimTick = async (_job: string, tick: number) => (ticks.push(tick), true);
    const { job: retention } = job();
    for (const at of ["2026-11-21T12:00:59.500Z", "2026-11-21T12:00:20.000Z", "2026-11-21T11:59:58.000Z"])
      await runScheduledJob(retention, recordingLogger().logger, { claimTick }, Date.parse(at));
    expect(ticks.map((t) => new Date(t).toISOString())).toEqual([
      "2026-11-21T12:01:00.000Z",
      "2026-11-21T12:00:00.000Z",
      "2026-11-21T12:00:00.000Z",
    ]);
  });

  it("takes the time now by default", async () => {
    vi.useFakeTimers({ now: Date.parse("2026-11-21T12:00:01.250Z") });
    try {
      const claimTick = vi.fn(async () => true);
      await runScheduledJob(job().job, recordingLogger().logger, { claimTick });
      expect(claimTick).toHaveBeenCalledWith("retention", NOON);
    } finally {
      vi.useRealTimers();
    }
  });

  it("logs a failing job and resolves false, never throwing; a failing claim too", async () => {
    const { job: failing } = job({
      run: () => {
        throw new Error("disk on fire");
      },
    });
    const { logger, error, info } = recordingLogger();
    expect(await runScheduledJob(failing, logger, { claimTick: async () => true }, NOON)).toBe(false);
    expect(error).toHaveBeenCalledWith({ job: "retention", err: { message: "disk on fire" } }, "job failed");
    expect(info).not.toHaveBeenCalled();

    const { job: retention, run } = job();
    const unreachable = async () => Promise.reject(new Error("connection terminated"));
    expect(await runScheduledJob(retention, logger, { claimTick: unreachable }, NOON)).toBe(false);
    expect(run).not.toHaveBeenCalled();
    expect(error).toHaveBeenLastCalledWith(
      { job: "retention", err: { message: "connection terminated" } },
      "job failed",
    );
  });
});
