/**
 * Programme results in the staff console (src/programme/, src/http/console/results-*.ts, cip-pages.ts): indicators
 * from generated data, who may see them, exports (CSV with a byte-order mark, XLSX read back), the audit, group
 * activities, and the CIP needs report. The current time is 2026-11-21 (the harness's clock).
 */
import ExcelJS from "exceljs";
import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Browser, buildConsoleApp, csrfOf, logIn } from "../helpers/console-client.ts";
import { CASEWORKER, createHarness, type Harness, SUPERVISOR } from "../helpers/harness.ts";
import { rowsOf, runOn } from "../helpers/test-database.ts";

let h: Harness;
let app: FastifyInstance;
const COUNSELLOR = 6010;

beforeEach(async () => {
  h = await createHarness({ CONSOLE_URL: "https://console.example.org", PROGRAMME_START: "2026-09" });
  await h.core.staff.register(COUNSELLOR, "counsellor", "Sreymom");
  h.fake.addUser({ id: COUNSELLOR, first_name: "Sreymom", language_code: "km" });
  app = await buildConsoleApp(h);
});
afterEach(async () => {
  await app.close();
  await h.close();
});

const supervisor = () => logIn(h, new Browser(() => app), SUPERVISOR);
const sql = (text: string, ...params: unknown[]) => runOn(h.core, text, params);
const all = (text: string, ...params: unknown[]) => rowsOf(h.core, text, params);
const at = (iso: string) => Date.parse(`${iso}+07:00`);

let slot = 0;
/** An appointment in the past with a mark: one row per session. */
async function session(chatId: number, site: string, when: string, status: "attended" | "no_show" = "attended") {
  const starts = at(when) + slot++ * 60_000; // distinct start times for the one counsellor
  await sql(
    `insert into appointments (chat_id, counsellor_id, topic, site, starts_at, ends_at, for_whom, locale, status,
     created_at, updated_at) values (?, ?, 'family', ?, ?, ?, 'self', 'km', ?, ?, ?)`,
    chatId,
    COUNSELLOR,
    site,
    starts,
    starts + 3_600_000,
    status,
    starts,
    starts,
  );
}

/** Families 1-8: many sessions each, in several months and districts. */
async function generateSessions() {
  for (let family = 1; family <= 8; family++) {
    for (let n = 0; n < 4; n++)
      await session(1000 + family, family <= 6 ? "russey_keo" : "chbar_ampov", `2026-10-0${n + 1}T09:00`);
    await session(1000 + family, "russey_keo", "2026-11-03T09:00");
  }
  await sql("insert into users (chat_id, first_seen_at, last_seen_at, district) values (2001, 0, 0, 'prek_pnov')");
  await session(2001, "phone", "2026-11-04T23:30"); // late evening, still November in Phnom Penh
  await session(2001, "phone", "2026-11-05T09:00", "no_show");
  await session(1001, "russey_keo", "2026-08-20T09:00"); // before the period: family 1 was counted in August
}

describe("indicators", () => {
  it("counts sessions, and each family once in the month of its first session ever", async () => {
    await generateSessions();
    const desk = h.core.console.results;
    const member = (await h.core.staff.get(SUPERVISOR))!;
    const views = (await desk.indicators(member, "en", desk.period("2026-09", "2026-11")))!;
    const byId = (id: string) => views.find((v) => v.definition.id === id)!;
    // One definition file: every indicator in it is computed, in its order, with its wording and target.
    expect(views.map((v) => v.definition.id)).toEqual(h.core.content.indicators.indicators.map((i) => i.id));
    const sessions = byId("counselling_sessions").table;
    expect(sessions.columnLabels).toEqual(["2026-09", "2026-10", "2026-11"]);
    // 8 families × 4 in October; 8 + 1 phone session in November; the phone session counts in the family's district.
    expect(sessions.columnTotals.map((v) => v.kind === "count" && v.value)).toEqual([0, 32, 9]);
    expect(sessions.grandTotal).toEqual({ kind: "count", value: 41 });
    const families = byId("counselling_families").table;
    // Family 1 was first seen in August (before the period); families 2-8 in October; family 2001 in November.
    expect(families.grandTotal).toEqual({ kind: "count", value: 8 });
    expect(families.rowLabels[0]).toBe("Prek Pnov");
    // Prek Pnov has one family, in November: a small cell ("<5"), and so a small row total.
    expect(families.cells[0]?.[2]).toEqual({ kind: "hidden", reason: "small" });
    expect(families.rowTotals[0]).toEqual({ kind: "hidden", reason: "small" });
    expect(byId("counselling_families").target).toBe(150);
    expect(byId("counselling_no_shows").table.cells[0]?.[2]).toEqual({ kind: "hidden", reason: "small" });
  });

  it("counts people into work by outcome, not referral, and each person once", async () => {
    const desk = h.core.desk;
    for (const [chatId, times] of [
      [3001, 2],
      [3002, 1],
      [3003, 1],
      [3004, 1],
      [3005, 1],
      [3006, 1],
    ] as const) {
      for (let i = 0; i < times; i++) {
        const r = await desk.createReferral({
          chatId,
          category: "work",
          urgency: "normal",
          district: "chbar_ampov",
          consentVersion: "v1",
          contact: { method: "telegram", time: "any" },
        });
        await sql(
          "insert into case_outcomes (referral_id, outcome, at) values (?, 'job_or_training', ?)",
          r.id,
          h.core.now(),
        );
        await sql("update referrals set status = 'resolved' where id = ?", r.id);
      }
    }
    const views = (await h.core.console.results.indicators(
      (await h.core.staff.get(SUPERVISOR))!,
      "en",
      h.core.console.results.period("2026-11", "2026-11"),
    ))!;
    const work = views.find((v) => v.definition.id === "into_work")!;
    expect(work.progress).toEqual({ kind: "count", value: 6 });
    expect(work.target).toBe(765);
    const outcomes = views.find((v) => v.definition.id === "referral_outcomes")!;
    expect(outcomes.table.grandTotal).toEqual({ kind: "count", value: 7 });
  });

  it("shows the page to supervisors only, in Khmer, with suppression marks, charts, definitions; audited", async () => {
    await generateSessions();
    const browser = await supervisor();
    const page = await browser.get("/console/results?from=2026-09&to=2026-11");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("វគ្គប្រឹក្សាផ្ទាល់ខ្លួន");
    expect(page.body).toContain("&lt;៥");
    expect(page.body).toContain(`class="chart"`);
    expect(page.body).toContain("flows/programme/indicators.yaml");
    expect(page.body).toContain("២,៧០០"); // the target, in Khmer digits
    expect(await all("select action from staff_audit where action = 'results_view'")).toHaveLength(1);
    const caseworker = await logIn(h, new Browser(() => app), CASEWORKER);
    expect((await caseworker.get("/console/results")).statusCode).toBe(403);
    expect((await caseworker.get("/console/results/export.csv")).statusCode).toBe(403);
    expect((await caseworker.get("/console/cip")).statusCode).toBe(403);
  });

  it("reads a broken period as the default one, and a reversed one as its last month", async () => {
    const browser = await supervisor();
    for (const query of ["from=2026-13&to=abc", "from=<script>&to=2026-11", "from=2026-11&to=2026-01"]) {
      const page = await browser.get(`/console/results?${query}`);
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain("<script>");
    }
    const reversed = await browser.get("/console/results?from=2026-11&to=2026-01");
    expect(reversed.body).toContain('name="from" type="month" value="2026-01"');
  });
});

describe("exports", () => {
  it("CSV: UTF-8 with a byte-order mark, Khmer intact, suppressed, notes, no ids; audited: what, who", async () => {
    await generateSessions();
    const browser = await supervisor();
    const res = await browser.get("/console/results/export.csv?from=2026-09&to=2026-11&indicator=counselling_families");
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toContain("text/csv");
    expect(res.headers["content-disposition"]).toContain("spean-counselling_families-2026-09..2026-11.csv");
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const body = bytes.subarray(3).toString("utf8");
    expect(body).toContain("គ្រួសារដែលបានប្រឹក្សា");
    expect(body).toContain("<៥");
    expect(body).not.toMatch(/100[1-8]|2001/); // no chat ids
    expect(
      await all("select telegram_user_id as who, action from staff_audit where action like 'results_export%'"),
    ).toEqual([{ who: SUPERVISOR, action: "results_export_csv:counselling_families:2026-09..2026-11" }]);
    expect((await browser.get("/console/results/export.csv?indicator=nope")).statusCode).toBe(404);
  });

  it("XLSX reads back with the same numbers as the page", async () => {
    await generateSessions();
    const browser = await supervisor();
    const res = await browser.get(
      "/console/results/export.xlsx?from=2026-09&to=2026-11&indicator=counselling_sessions",
    );
    expect(res.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const values: unknown[] = [];
    sheet.eachRow((row) => values.push(...(row.values as unknown[])));
    expect(values).toContain("វគ្គប្រឹក្សាផ្ទាល់ខ្លួន");
    expect(values).toContain(41); // the grand total, as a number
    expect(values).toContain(32);
  });
});

describe("group activities", () => {
  const form = (csrf: string, extra: Record<string, string> = {}) => ({
    _csrf: csrf,
    date: "2026-11-20",
    kind: "child_protection",
    khan: "prek_pnov",
    sangkat: "prek_pnov_samraong",
    place: "Wat hall",
    organisation: "Partner NGO",
    female_0_11: "១២",
    male_0_11: "9",
    female_12_17: "4",
    female_25_up: "3",
    first_time: "៧",
    ...extra,
  });

  it("records counts by age and sex (Khmer or Latin digits), counts the children, withdraws a mistake", async () => {
    const counsellor = await logIn(h, new Browser(() => app), COUNSELLOR);
    const page = await counsellor.get("/console/activities");
    expect(page.statusCode).toBe(200);
    const saved = await counsellor.post("/console/activities", form(csrfOf(page.body)));
    expect(saved.statusCode).toBe(303);
    const children = async () =>
      (await h.core.console.results.indicators(
        (await h.core.staff.get(SUPERVISOR))!,
        "en",
        h.core.console.results.period("2026-11", "2026-11"),
      ))!.find((v) => v.definition.id === "children_reached")!.progress;
    expect(await children()).toEqual({ kind: "count", value: 25 }); // 12 + 9 + 4; the 3 adults do not count
    const [record] = (await all("select id from group_activities")) as { id: number }[];
    const list = await counsellor.get("/console/activities");
    expect(list.body).toContain("Wat hall");
    const withdrawn = await counsellor.post(`/console/activities/${record!.id}/withdraw`, {
      _csrf: csrfOf(list.body),
    });
    expect(withdrawn.statusCode).toBe(303);
    expect(await children()).toEqual({ kind: "count", value: 0 });
    expect(await all("select action from staff_audit where action like 'activity_%' order by id")).toEqual([
      { action: "activity_record" },
      { action: "activity_withdraw" },
    ]);
  });

  it("answers a bad form with the problems next to the fields, and keeps nothing", async () => {
    const counsellor = await logIn(h, new Browser(() => app), COUNSELLOR);
    const csrf = csrfOf((await counsellor.get("/console/activities")).body);
    for (const [extra, problem] of [
      [{ date: "2026-02-30" }, "results.problem_date"],
      [{ date: "2027-01-01" }, "results.problem_date"],
      [{ sangkat: "chbar_ampov_nirouth" }, "results.problem_sangkat"],
      [{ female_0_11: "-3" }, "results.problem_count"],
      [{ first_time: "99" }, "results.problem_first_time"],
      [
        { female_0_11: "", male_0_11: "", female_12_17: "", female_25_up: "", first_time: "" },
        "results.problem_nobody",
      ],
      [{ kind: "party" }, "results.problem_kind"],
    ] as const) {
      const res = await counsellor.post("/console/activities", form(csrf, extra));
      expect(res.statusCode).toBe(400);
      expect(res.body).toContain(h.render(problem));
    }
    expect(await all("select count(*) as n from group_activities")).toEqual([{ n: 0 }]);
    const resident = await counsellor.post("/console/activities", { ...form(csrf), _csrf: "forged" });
    expect(resident.statusCode).toBe(403);
  });
});

describe("CIP needs report", () => {
  async function needs(sangkat: string, list: string[], meeting = "yes", count = 1) {
    for (let i = 0; i < count; i++)
      await sql(
        `insert into needs_responses (id, date, khan, sangkat, need1, need2, need3, meeting)
         values (?, ?, ?, ?, ?, ?, ?, ?)`,
        Math.floor(Math.random() * 2 ** 40),
        "2026-11-10",
        sangkat.split("_").slice(0, 2).join("_"),
        sangkat,
        list[0],
        list[1] ?? null,
        list[2] ?? null,
        meeting,
      );
  }

  it("shows every sangkat, one printable page per sangkat with its needs suppressed, and a CSV", async () => {
    await needs("russey_keo_svay_pak", ["water", "drainage"], "yes", 9);
    await needs("russey_keo_svay_pak", ["water"], "no", 3);
    await needs("russey_keo_svay_pak", ["waste"], "maybe", 2);
    const browser = await supervisor();
    const overview = await browser.get("/console/cip?from=2026-11&to=2026-11");
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain("ស្វាយប៉ាក");
    expect(overview.body).toContain("ច្បារអំពៅទី ១");
    expect(overview.body).toContain(h.render("results.cip_by_khan_title")); // the khans' needs: water 12 in Russey Keo
    expect(overview.body).toMatch(/ទឹកស្អាត<\/th>\s*<td class="num">០<\/td>\s*<td class="num">១២<\/td>/);
    const page = await browser.get("/console/cip/russey_keo_svay_pak?from=2026-11&to=2026-11");
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("១៤"); // 14 residents answered
    expect(page.body).toContain("១២"); // water: 12
    expect(page.body).toContain("&lt;៥"); // waste: 2, hidden
    expect((await browser.get("/console/cip/nowhere")).statusCode).toBe(404);
    const csv = await browser.get("/console/cip/export.csv?from=2026-11&to=2026-11");
    expect([...csv.rawPayload.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(csv.rawPayload.toString("utf8")).toContain("ស្វាយប៉ាក");
    expect(await all("select action from staff_audit where action like 'cip_%' order by id")).toEqual([
      { action: "cip_view:all:2026-11..2026-11" },
      { action: "cip_view:russey_keo_svay_pak:2026-11..2026-11" },
      { action: "cip_export_csv:all:2026-11..2026-11" },
    ]);
  });
});
