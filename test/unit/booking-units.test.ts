import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatWeeklyHours, parseWeeklyHours } from "../../src/booking/hours.ts";
import { DEFAULT_REMINDER_POLICY, planReminders, rungTime } from "../../src/booking/reminders.ts";
import { formatClock, formatDate, formatDateTime, parseTypedWhen } from "../../src/khmer/when.ts";
import { PROJECT_ROOT } from "../../src/content/load.ts";
import { instantAt, localTime } from "../../src/base/local-time.ts";

const TZ = "Asia/Phnom_Penh";
const policy = { ...DEFAULT_REMINDER_POLICY, timeZone: TZ };
const at = (iso: string, hh: number, mm = 0) => {
  const [year, month, day] = iso.split("-").map(Number) as [number, number, number];
  return instantAt({ year, month, day }, hh * 60 + mm, TZ);
};
const local = (instant: number) => {
  const t = localTime(instant, TZ);
  const pad = (n: number) => String(n).padStart(2, "0");
  return (
    `${t.date.year}-${pad(t.date.month)}-${pad(t.date.day)} ` +
    `${pad(Math.floor(t.minute / 60))}:${pad(t.minute % 60)}`
  );
};
const today = { year: 2026, month: 11, day: 21 }; // a Saturday

describe("Khmer and English dates and times", () => {
  it("formats the issue's example the Khmer way, with Khmer digits and the day period", () => {
    expect(formatDateTime("km", { year: 2026, month: 11, day: 25 }, 9 * 60 + 30)).toBe(
      "ថ្ងៃពុធ ទី២៥ ខែវិច្ឆិកា ម៉ោង ៩:៣០ ព្រឹក",
    );
    expect(formatDateTime("km", { year: 2026, month: 11, day: 24 }, 9 * 60 + 30)).toBe(
      "ថ្ងៃអង្គារ ទី២៤ ខែវិច្ឆិកា ម៉ោង ៩:៣០ ព្រឹក",
    );
    expect(formatDateTime("en", { year: 2026, month: 11, day: 24 }, 14 * 60)).toBe("Tuesday 24 November, 2:00 pm");
  });

  it.each([
    [7 * 60, "៧:០០ ព្រឹក", "7:00 am"],
    [12 * 60 + 15, "១២:១៥ ថ្ងៃត្រង់", "12:15 pm"],
    [14 * 60 + 30, "២:៣០ រសៀល", "2:30 pm"],
    [17 * 60, "៥:០០ ល្ងាច", "5:00 pm"],
    [20 * 60, "៨:០០ យប់", "8:00 pm"],
    [0, "១២:០០ ព្រឹក", "12:00 am"],
  ])("minute %i is %s / %s", (minute, km, en) => {
    expect(formatClock("km", minute)).toBe(km);
    expect(formatClock("en", minute)).toBe(en);
  });

  it("names every month and weekday in both languages", () => {
    expect(formatDate("km", { year: 2027, month: 1, day: 3 })).toBe("ថ្ងៃអាទិត្យ ទី៣ ខែមករា");
    expect(formatDate("en", { year: 2026, month: 12, day: 31 })).toBe("Thursday 31 December");
  });

  it.each([
    ["ថ្ងៃស្អែក", { date: { year: 2026, month: 11, day: 22 } }],
    ["tomorrow", { date: { year: 2026, month: 11, day: 22 } }],
    ["ខានស្អែក", { date: { year: 2026, month: 11, day: 23 } }],
    ["ថ្ងៃនេះ", { date: today }],
    ["ថ្ងៃចន្ទ", { date: { year: 2026, month: 11, day: 23 } }],
    ["ថ្ងៃច័ន្ទ", { date: { year: 2026, month: 11, day: 23 } }],
    ["Friday", { date: { year: 2026, month: 11, day: 27 } }],
    ["ថ្ងៃសៅរ៍", { date: today }],
    ["១៥/១២", { date: { year: 2026, month: 12, day: 15 } }],
    ["15-12-2026", { date: { year: 2026, month: 12, day: 15 } }],
    ["5/1", { date: { year: 2027, month: 1, day: 5 } }],
    ["ទី១៥ ខែធ្នូ", { date: { year: 2026, month: 12, day: 15 } }],
    ["15 December", { date: { year: 2026, month: 12, day: 15 } }],
    ["9:30", { minute: 9 * 60 + 30 }],
    ["៩:៣០", { minute: 9 * 60 + 30 }],
    ["ម៉ោង៩ព្រឹក", { minute: 9 * 60 }],
    ["ម៉ោង ២ រសៀល", { minute: 14 * 60 }],
    ["ម៉ោង៩កន្លះ", { minute: 9 * 60 + 30 }],
    ["2pm", { minute: 14 * 60 }],
    ["2:00", { minute: 14 * 60 }],
    ["14:00", { minute: 14 * 60 }],
    ["12 noon", { minute: 12 * 60 }],
    ["ថ្ងៃស្អែក ម៉ោង៩ព្រឹក", { date: { year: 2026, month: 11, day: 22 }, minute: 9 * 60 }],
    ["២៧/១១ ម៉ោង ១០:០០", { date: { year: 2026, month: 11, day: 27 }, minute: 10 * 60 }],
    ["tomorrow 9.30am", { date: { year: 2026, month: 11, day: 22 }, minute: 9 * 60 + 30 }],
  ])("reads %s", (typed, expected) => {
    expect(parseTypedWhen(typed, today)).toEqual(expected);
  });

  it.each([
    ["31/02", "date"],
    ["32/12", "date"],
    ["15/13", "date"],
    ["25:00", "time"],
    ["9:75", "time"],
    ["ម៉ោង១៣ព្រឹក", "time"],
  ])("refuses the impossible %s (%s)", (typed, part) => {
    expect(parseTypedWhen(typed, today)).toEqual({ impossible: part });
  });

  it("keeps a recently passed date in this year (so it can be refused as past); nothing for other text", () => {
    expect(parseTypedWhen("20/11", today)).toEqual({ date: { year: 2026, month: 11, day: 20 } });
    expect(parseTypedWhen("ខ្ញុំចង់ជួប", today)).toBeUndefined();
    expect(parseTypedWhen("I am free", today)).toBeUndefined();
    expect(parseTypedWhen("", today)).toBeUndefined();
  });
});

describe("reminder ladder", () => {
  it("plans 24 h and 2 h before, in order", () => {
    const start = at("2026-11-27", 9);
    expect(planReminders(start, at("2026-11-21", 10), policy).map((r) => [r.rung, local(r.at)])).toEqual([
      [1440, "2026-11-26 09:00"],
      [120, "2026-11-27 07:00"],
    ]);
  });

  it("moves a rung out of quiet hours to 20:30 the evening before", () => {
    expect(local(rungTime(at("2026-11-27", 8), 120, policy))).toBe("2026-11-26 20:30");
    expect(local(rungTime(at("2026-11-27", 22, 30), 120, policy))).toBe("2026-11-27 20:30");
    expect(local(rungTime(at("2026-11-27", 14), 120, policy))).toBe("2026-11-27 12:00");
  });

  it("skips rungs that would come before (or right after) the booking, never the confirmation", () => {
    expect(planReminders(at("2026-11-26", 14), at("2026-11-26", 10), policy).map((r) => r.rung)).toEqual([120]);
    expect(planReminders(at("2026-11-26", 15), at("2026-11-26", 13), policy)).toEqual([]);
    expect(planReminders(at("2026-11-26", 15), at("2026-11-26", 12, 45), policy)).toEqual([]);
  });

  it("drops a rung that quiet hours push onto the previous one", () => {
    // 24 h before 21:30 is 21:30 the day before (quiet: moved to 20:30); 2 h before is 19:30 the same day.
    const start = at("2026-11-27", 21, 30);
    const plan = planReminders(start, at("2026-11-20", 9), { ...policy, rungs: [1440, 1410] });
    expect(plan.map((r) => local(r.at))).toEqual(["2026-11-26 20:30"]);
  });
});

describe("weekly hours", () => {
  it("reads ranges and lists of weekdays", () => {
    expect(parseWeeklyHours("mon-wed 08:00-11:30 prek_pnov; fri 14:00-16:00 phone")).toEqual([
      { site: "prek_pnov", weekday: 1, startMinute: 480, endMinute: 690 },
      { site: "prek_pnov", weekday: 2, startMinute: 480, endMinute: 690 },
      { site: "prek_pnov", weekday: 3, startMinute: 480, endMinute: 690 },
      { site: "phone", weekday: 5, startMinute: 840, endMinute: 960 },
    ]);
  });

  it.each(["sat 08:00-11:00 phone", "mon 11:00-08:00 phone", "mon 08:00-11:00 kampot", "mon 8-11 phone", ""])(
    "refuses %j with a reason",
    (spec) => {
      expect(() => parseWeeklyHours(spec)).toThrow(/hours/);
    },
  );

  it("writes hours back the way they are read (the console's hours page)", () => {
    const spec = "mon-wed,fri 08:00-11:30 prek_pnov; tue,thu 14:00-16:00 phone";
    expect(formatWeeklyHours(parseWeeklyHours(spec))).toBe(spec);
    expect(
      parseWeeklyHours(formatWeeklyHours(parseWeeklyHours("thu 09:00-10:00 russey_keo; mon-fri 13:00-14:00 phone"))),
    ).toEqual(parseWeeklyHours("thu 09:00-10:00 russey_keo; mon-fri 13:00-14:00 phone"));
    expect(formatWeeklyHours([])).toBe("");
  });
});

describe("booking command lines", () => {
  it(
    "seed:demo loads fictional counsellors in sandbox mode and refuses in production unless DEMO_DATA=on; " +
      "counsellor sets hours",
    () => {
      const dir = mkdtempSync(join(tmpdir(), "spean-cli-"));
      try {
        const run = (script: string, args: string[], extra: Record<string, string>) =>
          spawnSync(process.execPath, ["--import", "tsx", `src/cli/${script}.ts`, ...args], {
            cwd: PROJECT_ROOT,
            env: { PATH: process.env.PATH ?? "", ...extra },
            encoding: "utf8",
          });
        const sandbox = { DATABASE_PATH: join(dir, "sandbox.db") };
        const production = {
          DATABASE_PATH: join(dir, "prod.db"),
          BOT_TOKEN: "123456789:AAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
          ENCRYPTION_KEY: "jdY8+OltvMlJHD6Mv/HhPqcCCqh0afI+5lnYCziZHZo=",
        };
        expect(run("seed-demo", [], sandbox)).toMatchObject({
          status: 0,
          stdout: expect.stringContaining("Loaded 2 fictional"),
        });
        expect(run("seed-demo", [], production)).toMatchObject({
          status: 1,
          stdout: expect.stringContaining("DEMO_DATA=on"),
        });
        expect(run("seed-demo", [], { ...production, DEMO_DATA: "on" }).status).toBe(0);
        expect(
          run("counsellor", ["3001", "--hours", "mon-fri 08:00-10:00 phone", "--slot", "30"], sandbox),
        ).toMatchObject({ status: 0, stdout: expect.stringContaining("30-minute") });
        expect(run("counsellor", ["2001", "--hours", "mon 08:00-10:00 phone"], sandbox)).toMatchObject({
          status: 1,
          stdout: expect.stringContaining("not a registered counsellor"),
        });
        expect(run("counsellor", ["3001", "--hours", "sat 08:00-10:00 phone"], sandbox)).toMatchObject({
          status: 1,
          stdout: expect.stringContaining("weekends"),
        });
        expect(run("counsellor", [], sandbox)).toMatchObject({ status: 1, stdout: expect.stringContaining("usage") });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
