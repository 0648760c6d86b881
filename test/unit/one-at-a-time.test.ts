import { describe, expect, it } from "vitest";
import { oneAtATime } from "../../src/base/one-at-a-time.ts";

describe("oneAtATime", () => {
  it("never overlaps a run, and calls during a run make exactly one more run after it", async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let release: () => void = () => undefined;
    const start = oneAtATime(
      async () => {
        runs++;
        active++;
        most = Math.max(most, active);
        await new Promise<void>((resolve) => (release = resolve));
        active--;
      },
      () => undefined,
    );
    start();
    start();
    start();
    expect(runs).toBe(1);
    release();
    await expect.poll(() => runs).toBe(2);
    release();
    await expect.poll(() => active).toBe(0);
    expect(runs).toBe(2);
    expect(most).toBe(1);
  });

  it("hands a failed run to onError and keeps working", async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const start = oneAtATime(
      async () => {
        calls++;
        if (calls === 1) throw new Error("database locked");
      },
      (err) => errors.push(err),
    );
    start();
    await expect.poll(() => errors.length).toBe(1);
    start();
    await expect.poll(() => calls).toBe(2);
    expect(errors).toHaveLength(1);
  });
});
