import { describe, expect, it } from "vitest";
import { asyncMethods } from "../../src/db/async-store.ts";

describe("asyncMethods", () => {
  const store = asyncMethods({
    limit: 3,
    get(id: number) {
      return id > 0 ? { id } : undefined;
    },
    /** Calls a sibling through `this`, as the staff and recordings stores do. */
    both(a: number, b: number) {
      return [this.get(a), this.get(b)];
    },
    fail(): number {
      throw new Error("constraint failed");
    },
  });

  it("returns promises of what the methods return, and keeps other properties", async () => {
    expect(store.get(2)).toBeInstanceOf(Promise);
    expect(await store.get(2)).toEqual({ id: 2 });
    expect(store.limit).toBe(3);
  });

  it("lets a method call its synchronous siblings through this", async () => {
    expect(await store.both(1, 0)).toEqual([{ id: 1 }, undefined]);
  });

  it("turns a throw into a rejection", async () => {
    await expect(store.fail()).rejects.toThrow("constraint failed");
  });
});
