/** Error codes (src/base/errors.ts): what logs and the inbox record, and which errors mean a full disk. */
import { describe, expect, it } from "vitest";
import { errorCode, isDiskFull, SpeanError } from "../../src/base/errors.ts";

describe("errorCode", () => {
  it("gives Spean's own code, Telegram's error code, a driver's code, or UNEXPECTED", () => {
    expect(errorCode(new SpeanError("SPEAN_CONFIG_INVALID", "x"))).toBe("SPEAN_CONFIG_INVALID");
    expect(errorCode({ error_code: 429 })).toBe("TELEGRAM_429");
    expect(errorCode(Object.assign(new Error("x"), { code: "SQLITE_BUSY" }))).toBe("SQLITE_BUSY");
    expect(errorCode(Object.assign(new Error("x"), { code: "40P01" }))).toBe("40P01");
    expect(errorCode(new Error("secret text"))).toBe("UNEXPECTED");
    expect(errorCode("a string")).toBe("UNEXPECTED");
  });
});

describe("isDiskFull", () => {
  it("is true for SQLite's and PostgreSQL's full disk and the system's ENOSPC, false for other errors", () => {
    const withCode = (code: string) => Object.assign(new Error("x"), { code });
    expect(["SQLITE_FULL", "SQLITE_IOERR_WRITE", "ENOSPC", "53100"].map((c) => isDiskFull(withCode(c)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["SQLITE_BUSY", "53200", "23505"].some((c) => isDiskFull(withCode(c)))).toBe(false);
    expect(isDiskFull(new Error("database or disk is full"))).toBe(false);
  });
});
