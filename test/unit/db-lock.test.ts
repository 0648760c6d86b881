/** One service per database (src/db/lock.ts): refused while the holder runs, taken over when it no longer does. */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lockDatabase } from "../../src/db/lock.ts";

/** Above Linux's largest possible pid (2^22): no process can have it. */
const NO_SUCH_PID = 4_194_305;

describe("database lock", () => {
  it("is refused while a running process holds it, and free again once released", () => {
    const path = join(mkdtempSync(join(tmpdir(), "spean-lock-")), "spean.db");
    const release = lockDatabase(path); // held by this (running) process
    expect(() => lockDatabase(path, process.pid + 1)).toThrow(
      expect.objectContaining({ code: "SPEAN_DATABASE_IN_USE" }),
    );
    release();
    expect(existsSync(`${path}.lock`)).toBe(false);
    lockDatabase(path, process.pid + 1)();
  });

  it("is taken over when the process that left it no longer runs (kill -9, a power cut)", () => {
    const path = join(mkdtempSync(join(tmpdir(), "spean-lock-")), "spean.db");
    writeFileSync(`${path}.lock`, String(NO_SUCH_PID));
    const release = lockDatabase(path);
    expect(readFileSync(`${path}.lock`, "utf8")).toBe(String(process.pid));
    release();
  });

  it("is not taken for an in-memory database", () => {
    expect(() => lockDatabase(":memory:")).not.toThrow();
  });
});
