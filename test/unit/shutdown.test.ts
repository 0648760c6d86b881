/** Shutdown with a deadline (src/shutdown.ts), on fake timers. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { stopWithin } from "../../src/shutdown.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("stopWithin", () => {
  it("a stop that finishes in time is 'stopped'", async () => {
    const result = stopWithin(() => new Promise((resolve) => setTimeout(resolve, 2_000)), 10_000);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(result).resolves.toBe("stopped");
  });

  it("a stop that never finishes (a silent Telegram) is given up on after the grace time", async () => {
    let settled = false;
    const result = stopWithin(() => new Promise(() => undefined), 10_000).then((how) => {
      settled = true;
      return how;
    });
    await vi.advanceTimersByTimeAsync(9_999);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe("late");
  });

  it("a stop that fails still ends the shutdown", async () => {
    await expect(stopWithin(() => Promise.reject(new Error("boom")), 10_000)).resolves.toBe("stopped");
  });
});
