import { setImmediate } from "node:timers";
import { describe, expect, it } from "vitest";
import { stepwise, type Steps } from "../../src/base/stepwise.ts";

/** A job of `count` steps that records each step in `log` and returns "done". */
function counted(count: number, log: string[]): () => Steps<string> {
  return function* () {
    for (let i = 0; i < count; i++) {
      log.push(`step ${i}`);
      yield;
    }
    return "done";
  };
}

describe("a value computed in steps", () => {
  it("computes it at once with get(), once", () => {
    const log: string[] = [];
    let starts = 0;
    const job = counted(3, log);
    const value = stepwise(() => (starts++, job()));
    expect(value.ready).toBe(false);
    expect(value.get()).toBe("done");
    expect(value.get()).toBe("done");
    expect(starts).toBe(1);
    expect(log).toEqual(["step 0", "step 1", "step 2"]);
    expect(value.ready).toBe(true);
  });

  it("gives the event loop a turn between slices", async () => {
    const log: string[] = [];
    const value = stepwise(counted(3, log));
    setImmediate(() => log.push("other work"));
    // Slices of 0 ms: one step per slice.
    await expect(value.inSlices(0)).resolves.toBe("done");
    expect(log.indexOf("other work")).toBeGreaterThan(0);
    expect(log.indexOf("other work")).toBeLessThan(log.indexOf("step 2"));
  });

  it("shares one run between callers, and get() finishes it at once", async () => {
    const log: string[] = [];
    let starts = 0;
    const job = counted(100, log);
    const value = stepwise(() => (starts++, job()));
    const first = value.inSlices(0);
    const second = value.inSlices(0);
    expect(value.get()).toBe("done");
    await expect(first).resolves.toBe("done");
    await expect(second).resolves.toBe("done");
    expect(starts).toBe(1);
    expect(log).toHaveLength(100);
  });

  it("passes on a step's error and starts again at the next call", async () => {
    let starts = 0;
    const value = stepwise(function* () {
      starts++;
      yield;
      if (starts === 1) throw new Error("broken step");
      return starts;
    });
    expect(() => value.get()).toThrow("broken step");
    expect(value.get()).toBe(2);
    const again = stepwise(function* (): Steps<number> {
      yield;
      throw new Error("broken slice");
    });
    await expect(again.inSlices(0)).rejects.toThrow("broken slice");
    expect(again.ready).toBe(false);
  });
});
