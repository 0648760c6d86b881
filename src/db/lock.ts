/**
 * One service per database: a second Spean process on the same DATABASE_PATH would answer updates twice and call
 * fresh buttons old, so it refuses to start. The lock is a file beside the database holding the owner's process
 * id; a lock left by a process that no longer runs (kill -9, a power cut) is taken over. Command-line tools
 * (counsellor hours, invite codes) do not take it: they may run beside the service.
 */
import { readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { SpeanError } from "../base/errors.ts";

/**
 * Takes the lock for the database at `path` (nothing for ":memory:"); returns the function that releases it.
 * @throws {SpeanError} SPEAN_DATABASE_IN_USE when a running process holds it.
 */
export function lockDatabase(path: string, pid = process.pid): () => void {
  if (path === ":memory:") return () => undefined;
  const lockPath = `${resolve(path)}.lock`;
  try {
    writeFileSync(lockPath, String(pid), { flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const holder = Number(readFileSync(lockPath, "utf8").trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== pid && isRunning(holder)) {
      throw new SpeanError(
        "SPEAN_DATABASE_IN_USE",
        `another Spean process (pid ${holder}) is using ${path}. ` +
          "Stop it first: two services on one database would answer every update twice.",
      );
    }
    writeFileSync(lockPath, String(pid)); // left by a process that no longer runs
  }
  return () => {
    try {
      if (readFileSync(lockPath, "utf8").trim() === String(pid)) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
