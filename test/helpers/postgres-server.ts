/**
 * Vitest global setup: a real, throwaway PostgreSQL server for the tests that need one (test/helpers/postgres.ts).
 *
 * - SPEAN_TEST_POSTGRES_URL set: that server is used as it is (each test makes and drops its own database).
 * - Otherwise, when Debian's `postgresql` package is installed (initdb on PATH or under /usr/lib/postgresql): a
 *   cluster is made in a temporary folder (initdb; as root, owned by the `postgres` user, since PostgreSQL refuses to
 *   run as root), started on a free loopback port with `pg_ctl`, and stopped and removed when the run ends.
 * - Neither: the PostgreSQL tests are skipped, and the run says so. `.ci/run` installs the package, so CI never
 *   skips them.
 */
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { freePort } from "./free-port.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** A superuser URL of the test server ("" when there is none). */
    postgresUrl: string;
  }
}

const USER = "spean";

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const given = process.env["SPEAN_TEST_POSTGRES_URL"];
  if (given) {
    project.provide("postgresUrl", given);
    return undefined;
  }
  const bin = postgresBin();
  if (!bin) {
    console.warn("PostgreSQL tests skipped: no initdb (apt-get install postgresql) and no SPEAN_TEST_POSTGRES_URL");
    project.provide("postgresUrl", "");
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), "spean-pg-"));
  const asPostgres = process.getuid?.() === 0;
  if (asPostgres) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const run = (tool: string, args: string[]) =>
    asPostgres
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, tool), ...args], { stdio: "pipe" })
      : execFileSync(join(bin, tool), args, { stdio: "pipe" });
  const data = join(dir, "data");
  const port = await freePort();
  run("initdb", ["-D", data, "-U", USER, "--auth=trust", "--encoding=UTF8", "--locale=C"]);
  // fsync off: a test server's data need not survive a power cut, and it makes the tests faster.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  run("pg_ctl", ["-D", data, "-l", join(dir, "log"), "-o", options, "-w", "-t", "30", "start"]);
  project.provide("postgresUrl", `postgres://${USER}@127.0.0.1:${port}/postgres`);
  return () => {
    try {
      run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

function postgresBin(): string | undefined {
  try {
    const found = execFileSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).trim();
    if (found) return join(found, "..");
  } catch {
    // not on PATH
  }
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  const version = versions.find((v) => existsSync(join(root, v, "bin", "initdb")));
  return version ? join(root, version, "bin") : undefined;
}

function uidOf(user: string): number {
  return Number(execFileSync("id", ["-u", user], { encoding: "utf8" }).trim());
}

function gidOf(user: string): number {
  return Number(execFileSync("id", ["-g", user], { encoding: "utf8" }).trim());
}
