/**
 * The pieces under casework: the working calendar, roles, invite codes (and the command line that makes the first
 * one), and staff button data.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { openDatabase } from "../../src/db/open.ts";
import { deskButtonData, parseDeskButton } from "../../src/referrals/desk.ts";
import { createWorkCalendar } from "../../src/scheduling/calendar.ts";
import { may } from "../../src/features/roles.ts";
import { createStaffStore, INVITE_TTL_MS } from "../../src/staff/store.ts";

const calendar = createWorkCalendar({
  timeZone: "Asia/Phnom_Penh",
  holidays: ["2026-11-23", "2026-11-24", "2026-11-25"],
});
const at = (local: string) => Date.parse(`${local}+07:00`);

describe("working calendar", () => {
  it.each([
    ["within a day", "2026-11-19T09:00", 240, "2026-11-19T13:00"],
    ["across the night", "2026-11-19T15:00", 240, "2026-11-20T10:00"],
    ["from before opening", "2026-11-19T06:30", 60, "2026-11-19T09:00"],
    ["across a weekend and the Water Festival", "2026-11-20T16:00", 240, "2026-11-26T11:00"],
    ["from a Sunday", "2026-11-22T10:00", 30, "2026-11-26T08:30"],
  ])("adds working minutes %s", (_name, from, minutes, expected) => {
    expect(calendar.addWorkingMinutes(at(from), minutes)).toBe(at(expected));
  });

  it("knows weekends and holidays", () => {
    expect(calendar.isWorkingDay({ year: 2026, month: 11, day: 20 })).toBe(true);
    expect(calendar.isWorkingDay({ year: 2026, month: 11, day: 21 })).toBe(false);
    expect(calendar.isWorkingDay({ year: 2026, month: 11, day: 24 })).toBe(false);
  });
});

describe("roles", () => {
  it("lets each role do only its own things", () => {
    expect(may("caseworker", "claim")).toBe(true);
    expect(may("caseworker", "resolve_any")).toBe(false);
    expect(may("supervisor", "resolve_any")).toBe(true);
    expect(may("counsellor", "claim")).toBe(false);
    expect(may("supervisor", "invite")).toBe(false);
    expect(may("admin", "invite")).toBe(true);
    expect(may(undefined, "claim")).toBe(false);
  });
});

describe("invite codes", () => {
  it("are single-use, expire after 7 days, and are stored only as a hash", async () => {
    let clock = 1_000_000;
    const db = openDatabase(":memory:");
    const staff = createStaffStore(db, () => clock);
    const code = await staff.createInvite("caseworker", null);
    expect(JSON.stringify(db.$client.prepare("select * from staff_invites").all())).not.toContain(code);
    expect(await staff.redeem(code, 1, "A")).toMatchObject({
      ok: true,
      member: { role: "caseworker", displayName: "A" },
    });
    expect(await staff.redeem(code, 2, "B")).toEqual({ ok: false, reason: "used" });
    const late = await staff.createInvite("admin", 1);
    clock += INVITE_TTL_MS + 1;
    expect(await staff.redeem(late, 3, "C")).toEqual({ ok: false, reason: "expired" });
    expect(await staff.redeem("NOPE", 3, "C")).toEqual({ ok: false, reason: "unknown" });
    expect(await staff.get(3)).toBeUndefined();
  });

  it("npm run staff:invite makes the first admin's code in the configured database", async () => {
    const dir = mkdtempSync(join(tmpdir(), "spean-invite-"));
    try {
      const env = { PATH: process.env.PATH ?? "", DATABASE_PATH: join(dir, "spean.db") };
      const output = execFileSync(process.execPath, ["--import", "tsx", "src/cli/staff-invite.ts", "admin"], {
        cwd: PROJECT_ROOT,
        env,
        encoding: "utf8",
      });
      const code = /\/join ([A-Z2-9]{10})/.exec(output)?.[1] as string;
      const db = openDatabase(join(dir, "spean.db"));
      expect(await createStaffStore(db).redeem(code, 7, "Admin")).toMatchObject({
        ok: true,
        member: { role: "admin" },
      });
      db.$client.close();
      const wrong = spawnSync(process.execPath, ["--import", "tsx", "src/cli/staff-invite.ts", "boss"], {
        cwd: PROJECT_ROOT,
        env,
        encoding: "utf8",
      });
      expect(wrong.status).toBe(1);
      expect(wrong.stdout).toMatch(/^usage: npm run staff:invite/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("staff button data", () => {
  it("round-trips and rejects anything else", () => {
    expect(parseDeskButton(deskButtonData("claim", 12345))).toEqual({ verb: "claim", referralId: 12345 });
    expect(parseDeskButton("k:z:1")).toBeUndefined();
    expect(parseDeskButton("k:c:")).toBeUndefined();
  });
});
