/**
 * Moving a deployment to PostgreSQL (`npm run db:to-postgres`): a database made by a real conversation (a referral,
 * a claim, a talk, a question, a danger message) is copied by the command into an empty PostgreSQL database; every
 * table holds the same rows, booleans and identities work there, a second copy is refused, and a copy that fails
 * half-way leaves the target empty.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { copyPlan, copySqliteToPostgres } from "../../src/db/copy-to-postgres.ts";
import { openDatabase } from "../../src/db/open.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import { CASEWORKER, createHarness, RESIDENT, startTalking } from "../helpers/harness.ts";
import { describePostgres, freshPostgresDatabase } from "../helpers/postgres.ts";

const ENV = { STAFF_CHAT_ID: "-4001" };

function runCopy(databasePath: string, url: string) {
  const result = spawnSync(process.execPath, ["--import", "tsx", "src/cli/copy-to-postgres.ts", url], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env["PATH"] ?? "", DATABASE_PATH: databasePath, ...ENV },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

describePostgres("npm run db:to-postgres", () => {
  let dir: string;
  let databasePath: string;
  const targets: { drop: () => Promise<void> }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "spean-copy-"));
    databasePath = join(dir, "spean.db");
    const h = await createHarness({ DATABASE_PATH: databasePath, ...ENV });
    await startTalking(h);
    await h.sayAs(CASEWORKER, "ខ្ញុំនឹងហៅអ្នកម៉ោង៣");
    await h.say("ធ្វើអត្តសញ្ញាណប័ណ្ណត្រូវការអ្វីខ្លះ");
    await h.say("ប្ដីខ្ញុំវាយខ្ញុំ");
    await h.deliverQueued();
    await h.close();
  });
  afterAll(async () => {
    for (const target of targets) await target.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("copies every table with the same rows, then refuses to copy into the filled database again", async () => {
    const target = await freshPostgresDatabase();
    targets.push(target);
    const first = runCopy(databasePath, target.url);
    expect(first.output).toContain("copied and checked");
    expect(first.code).toBe(0);

    const sqlite = new Database(databasePath, { readonly: true });
    const pg = await openPostgres(target.url);
    try {
      let filledTables = 0;
      for (const table of copyPlan()) {
        const { n } = sqlite.prepare(`select count(*) as n from "${table.name}"`).get() as { n: number };
        const { rows } = await pg.$client.query<{ n: string }>(`select count(*) as n from "${table.name}"`);
        expect({ table: table.name, rows: Number(rows[0]?.n) }).toEqual({ table: table.name, rows: n });
        if (n > 0) filledTables += 1;
        if (n > 0) expect(first.output).toMatch(new RegExp(`${table.name}\\s+${n} rows, same in both`));
      }
      expect(filledTables).toBeGreaterThanOrEqual(10);
      // Booleans arrive as booleans, and new rows take ids after the copied ones.
      const staff = await pg.$client.query<{ active: boolean }>(
        "select active from staff_members where telegram_user_id = $1",
        [CASEWORKER],
      );
      expect(staff.rows[0]?.active).toBe(true);
      const { maxId } = sqlite.prepare("select max(id) as maxId from referrals").get() as { maxId: number };
      const added = await pg.$client.query<{ id: string }>(
        "insert into safety_checks (event, created_at) values ('shown', 1) returning id",
      );
      const { maxCheck } = sqlite.prepare("select max(id) as maxCheck from safety_checks").get() as {
        maxCheck: number | null;
      };
      expect(Number(added.rows[0]?.id)).toBe((maxCheck ?? 0) + 1);
      expect(maxId).toBeGreaterThan(0);
    } finally {
      sqlite.close();
      await pg.$client.end();
    }

    const second = runCopy(databasePath, target.url);
    expect(second.code).toBe(1);
    expect(second.output).toContain("SPEAN_COPY_REFUSED: the PostgreSQL database is not empty");
  });

  it("the copy runs the service: the resident's talk with the caseworker goes on over PostgreSQL", async () => {
    const target = await freshPostgresDatabase();
    targets.push(target);
    const copied = runCopy(databasePath, target.url);
    expect(copied.code).toBe(0);
    expect(copied.output).toMatch(/To run on it: set DATABASE_URL=postgres:\/\/.*where you set DATABASE_PATH/);
    // A new fake Telegram, whose update ids go on after the ones the copied database has handled.
    const h = await createHarness({ ...ENV, DATABASE_URL: target.url }, { firstUpdateId: 800_000_001 });
    try {
      expect(h.core.database.kind).toBe("postgres");
      expect((await h.core.referrals.activeForChat(RESIDENT))?.status).toBe("in_conversation");
      await h.say("អរគុណ ខ្ញុំនៅផ្ទះ");
      await h.deliverQueued();
      expect(h.fake.botMessages(CASEWORKER).map((m) => m.text ?? "")).toContainEqual(
        expect.stringContaining("អរគុណ ខ្ញុំនៅផ្ទះ"),
      );
    } finally {
      await h.close();
    }
  });

  it("leaves the target empty when a row cannot go across or arrives changed, and says which table", async () => {
    const target = await freshPostgresDatabase();
    targets.push(target);
    const source = openDatabase(join(dir, "broken.db"));
    source.$client
      .prepare("insert into users (chat_id, first_seen_at, last_seen_at, locale) values (1, 1, 1, 'km'), (2, 1, 1, ?)")
      .run("k\u0000m"); // PostgreSQL text cannot hold a NUL character
    const pg = await openPostgres(target.url);
    try {
      await expect(copySqliteToPostgres(source, pg)).rejects.toThrow(/^users: .*(0x00|null character)/i);
      const { rows } = await pg.$client.query<{ n: string }>("select count(*) as n from users");
      expect(rows[0]?.n).toBe("0");
      // A value that would change on the way (a boolean column holding 2 arrives as true) is caught by the check.
      source.$client.exec("delete from users");
      source.$client.exec(
        "insert into staff_members (telegram_user_id, role, display_name, active, created_at) " +
          "values (7, 'caseworker', 'Dara', 2, 1)",
      );
      await expect(copySqliteToPostgres(source, pg)).rejects.toThrow(
        "staff_members: 1 rows in SQLite, 1 in PostgreSQL (same count, different rows)",
      );
      const left = await pg.$client.query<{ n: string }>("select count(*) as n from staff_members");
      expect(left.rows[0]?.n).toBe("0");
    } finally {
      source.$client.close();
      await pg.$client.end();
    }
  });

  it("refuses a URL that is not PostgreSQL's, with the usage", () => {
    const result = runCopy(databasePath, "mysql://somewhere/db");
    expect(result.code).toBe(1);
    expect(result.output).toContain("usage: npm run db:to-postgres");
  });
});
