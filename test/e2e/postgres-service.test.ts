/**
 * The service on PostgreSQL (DATABASE_URL), as a process against the fake Bot API: it answers, keeps a conversation
 * across a restart in PostgreSQL (not in the SQLite file), starts beside another instance on the same database and
 * carries on after that one's kill -9 (test/e2e/cluster-service.test.ts tests several instances in depth), and says
 * clearly when the server cannot be reached, without printing the password.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/base/project-root.ts";
import { openPostgres } from "../../src/db/postgres.ts";
import { createPgStaffStore } from "../../src/staff/pg-store.ts";
import { useEndToEnd } from "../helpers/e2e.ts";
import { buttonsOf } from "../helpers/harness.ts";
import { describePostgres, freshPostgresDatabase, POSTGRES_URL } from "../helpers/postgres.ts";

const MENU = "តើអ្នកត្រូវការអ្វី? សូមចុចប៊ូតុងមួយ។";

// Registered before useEndToEnd's hooks, so the database is dropped only after its services were stopped.
let database: Awaited<ReturnType<typeof freshPostgresDatabase>> | undefined;
beforeEach(async () => {
  if (POSTGRES_URL) database = await freshPostgresDatabase();
});
afterEach(async () => {
  await database?.drop();
  database = undefined;
});

const e2e = useEndToEnd();
const onPostgres = () => ({ DATABASE_URL: (database as { url: string }).url });

function pressLatest(chat: number, label: string) {
  const message = [...e2e.fake.botMessages(chat)].reverse().find((m) => buttonsOf(m).some((b) => b.text === label));
  const button = buttonsOf(message).find((b) => b.text === label);
  e2e.fake.pressButton(chat, message?.message_id ?? 0, button?.callback_data ?? "");
}

describePostgres("the service on PostgreSQL", () => {
  it("answers, and keeps the conversation in PostgreSQL across a restart", async () => {
    const first = await e2e.start(onPostgres());
    e2e.fake.sendText(2, "/start");
    await e2e.waitForText(2, MENU);
    pressLatest(2, "🌐 ភាសា / Language");
    await e2e.waitForText(2, "សូមជ្រើសរើសភាសា");
    expect(await first.stop("SIGTERM")).toBe(0);
    await e2e.start(onPostgres());
    pressLatest(2, "English");
    await e2e.waitForText(2, "What do you need?");
    expect(existsSync(join(e2e.dir, "spean.db"))).toBe(false);
  }, 60_000);

  it("a second instance starts beside the first on one database and carries on after the first's kill -9", async () => {
    const first = await e2e.start(onPostgres());
    e2e.fake.sendText(1, "/start");
    await e2e.waitForText(1, MENU);
    // Several instances share a PostgreSQL database (src/cluster/); one of them polls.
    await e2e.start(onPostgres());
    expect(await first.stop("SIGKILL")).not.toBe(0);
    e2e.fake.sendText(3, "/start");
    await e2e.waitForText(3, MENU);
  }, 60_000);

  it("npm run staff:invite writes its code into PostgreSQL, not into a SQLite file", async () => {
    const url = (database as { url: string }).url;
    const output = execFileSync(process.execPath, ["--import", "tsx", "src/cli/staff-invite.ts", "admin"], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? "", DATABASE_URL: url, DATABASE_PATH: join(e2e.dir, "spean.db") },
      encoding: "utf8",
    });
    const code = /\/join ([A-Z2-9]{10})/.exec(output)?.[1] as string;
    const pg = await openPostgres(url);
    try {
      expect(await createPgStaffStore(pg).redeem(code, 7, "Admin")).toMatchObject({
        ok: true,
        member: { role: "admin" },
      });
    } finally {
      await pg.$client.end();
    }
    expect(existsSync(join(e2e.dir, "spean.db"))).toBe(false);
  });

  it("an unreachable server: one clear message without the password, exit 1", async () => {
    const service = await e2e.startExpecting(/cannot start/, {
      DATABASE_URL: "postgres://spean:hunter2-secret@127.0.0.1:9/spean",
    });
    expect(await service.exited).toBe(1);
    expect(service.output()).toMatch(
      /SPEAN_POSTGRES_UNREACHABLE: cannot reach PostgreSQL at postgres:\/\/spean:\*\*\*@/,
    );
    expect(service.output()).not.toContain("hunter2-secret");
  });
});
