/**
 * What the programme counts: the staff chat's /sessions report (attended sessions and families against the
 * targets, a month by counsellor, what needs a person) and the counsellors' lists bringing back appointments that
 * were never marked.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_COUNSELLORS, seedDemoCounsellors } from "../../src/booking/demo-seed.ts";
import type { AppointmentStatus, Site } from "../../src/booking/model.ts";
import { instantAt } from "../../src/base/local-time.ts";
import { buttonsOf, createHarness, type Harness, RESIDENT, STAFF_CHAT } from "../helpers/harness.ts";

const TZ = "Asia/Phnom_Penh";
const SREYMOM = DEMO_COUNSELLORS[0].telegramUserId;
const PISETH = DEMO_COUNSELLORS[1].telegramUserId;
const STAFF_MEMBER = 6001;
const at = (day: number, hour: number, month = 11) => instantAt({ year: 2026, month, day }, hour * 60, TZ);

let h: Harness;
let clock: number;

beforeEach(async () => {
  clock = at(27, 11); // Friday 27 November 2026, 11:00 in Phnom Penh
  h = await createHarness({ PROGRAMME_SESSION_TARGET: "12", PROGRAMME_FAMILY_TARGET: "4" }, { now: () => clock });
  await seedDemoCounsellors(h.core.staff, h.core.booking.store);
  for (const id of [SREYMOM, PISETH]) h.fake.addUser({ id, first_name: `C${id}`, language_code: "km" });
});
afterEach(() => h.close());

/** Puts an appointment straight into the store (past ones included) and gives it a status. */
async function appointment(
  counsellorId: number,
  chatId: number,
  startsAt: number,
  status: AppointmentStatus = "booked",
  site: Site = "prek_pnov",
) {
  const a = await h.core.booking.store.insert({
    chatId,
    counsellorId,
    topic: "family",
    site,
    startsAt,
    endsAt: startsAt + 3_600_000,
    forWhom: "self",
    locale: "km",
  });
  if (status !== "booked") await h.core.booking.store.setStatus(a.id, status, counsellorId);
  return a;
}

const sessions = async (argument = "") => {
  await h.handle(h.fake.sendGroupText(STAFF_CHAT, STAFF_MEMBER, `/sessions${argument ? ` ${argument}` : ""}`));
  return h.fake.botMessages(STAFF_CHAT).at(-1)?.text ?? "";
};

describe("/sessions in the staff chat", () => {
  beforeEach(async () => {
    await appointment(SREYMOM, 7001, at(2, 9), "attended");
    await appointment(SREYMOM, 7001, at(16, 9), "attended"); // the same family again
    await appointment(PISETH, 7002, at(20, 14), "no_show");
    await appointment(PISETH, 7003, at(25, 9)); // over, never marked
    await appointment(SREYMOM, 7004, at(24, 10), "cancelled");
    await appointment(PISETH, 7005, at(26, 9), "rescheduled"); // replaced by the next one: counted once
    await appointment(PISETH, 7005, at(30, 9));
    const flagged = await appointment(SREYMOM, 7002, at(1, 9, 12));
    await h.core.booking.store.setFlag(flagged.id, "unreachable");
    await appointment(SREYMOM, 7006, at(15, 9, 10), "attended"); // October
  });

  it("shows the programme against targets, the month by counsellor and what needs a person, discreetly", async () => {
    const report = await sessions();
    expect(report.split("\n")).toEqual([
      "📊 វគ្គប្រឹក្សា ខែវិច្ឆិកា ឆ្នាំ២០២៦",
      "កម្មវិធីរហូតមកដល់ពេលនេះ៖ បានមក ៣ វគ្គ ក្នុងចំណោម ១២ (២៥%) ពីគ្រួសារ ២ ក្នុងចំណោម ៤។",
      "ខែវិច្ឆិកា ឆ្នាំ២០២៦៖ បានមក ២ វគ្គ ពីគ្រួសារ ១។ មិនបានមក ១។ បោះបង់ ១។ កក់ទុកខាងមុខ ១។",
      "តាមអ្នកប្រឹក្សា៖",
      "• Piseth (demo)៖ បានមក ០, មិនបានមក ១, មិនទាន់កត់ ១, កក់ទុកខាងមុខ ១",
      "• Sreymom (demo)៖ បានមក ២, មិនបានមក ០, មិនទាន់កត់ ០, កក់ទុកខាងមុខ ០",
      "⏳ ការណាត់ជួបដែលកន្លងហើយ ១ មិនទាន់បានកត់។ អ្នកប្រឹក្សារបស់វាឃើញវាដោយ /today។",
      "⚠️ ការណាត់ជួបខាងមុខ ១ ត្រូវការការហៅទូរស័ព្ទ (ការរំលឹកមិនបានផ្ញើដល់ ខកខាន ឬត្រូវបានបិទ)។",
    ]);
    const sent = h.fake.calls.filter((c) => c.method === "sendMessage").at(-1)?.params as Record<string, unknown>;
    expect(sent.protect_content).toBe(true);
  });

  it("takes another month in Latin or Khmer digits; an empty month says so; anything else gets the usage", async () => {
    expect(await sessions("2026-10")).toContain("ខែតុលា ឆ្នាំ២០២៦៖ បានមក ១ វគ្គ ពីគ្រួសារ ១។");
    expect(await sessions("២០២៦-១២")).toContain("• Sreymom (demo)៖ បានមក ០, មិនបានមក ០, មិនទាន់កត់ ០, កក់ទុកខាងមុខ ១");
    expect(await sessions("2026-09")).toContain("ខែកញ្ញា ឆ្នាំ២០២៦៖ គ្មានការណាត់ជួបទេ។");
    for (const wrong of ["2026-13", "last month", "11/2026", "1999-01"])
      expect(await sessions(wrong)).toBe(h.render("booking.report_usage"));
  });

  it("a resident typing /sessions gets nothing privileged; another group gets nothing", async () => {
    await h.say("/start");
    await h.say("/sessions");
    expect(h.lastTexts(2)[0]).toBe(h.render("common.unknown_command"));
    h.fake.addGroup(-4999, "Some other group");
    await h.handle(h.fake.sendGroupText(-4999, STAFF_MEMBER, "/sessions"));
    expect(h.fake.botMessages(-4999)).toEqual([]);
    expect(h.fake.botMessages(RESIDENT).some((m) => (m.text ?? "").includes("Sreymom"))).toBe(false);
  });
});

describe("appointments left without a mark", () => {
  it("come back in the counsellor's /today until marked, and then count", async () => {
    const missed = await appointment(PISETH, 7003, at(25, 9));
    await h.sayAs(PISETH, "/today");
    const list = h.fake.botMessages(PISETH);
    expect(list.map((m) => (m.text ?? "").split("\n")[0])).toEqual([
      h.core.content.translator.render("km", {
        key: "booking.staff_day_empty",
        params: { date: "ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា" },
      }),
      h.core.content.translator.render("km", { key: "booking.staff_unmarked_heading", params: { count: "១" } }),
      "🗓️ ថ្ងៃពុធ ទី២៥ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក",
    ]);
    await h.pressAs(PISETH, PISETH, h.render("booking.mark_attended"));
    expect((await h.core.booking.store.get(missed.id))?.status).toBe("attended");
    expect(await sessions()).toContain("បានមក ១ វគ្គ ក្នុងចំណោម ១២ (៨%)");
    await h.sayAs(PISETH, "/today");
    expect(h.fake.botMessages(PISETH).at(-1)?.text).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា");
  });

  it(
    "the morning list shows at most 10, oldest first, and says how many more; " +
      "older than 30 days are left to the report",
    async () => {
      await appointment(SREYMOM, 7010, at(10, 9, 10)); // 48 days before: only in /sessions
      for (let day = 3; day <= 14; day++) await appointment(SREYMOM, 7000 + day, at(day, 9));
      expect(await h.core.bookingDesk.postDayLists({ year: 2026, month: 11, day: 27 })).toBe(1);
      await h.deliverQueued();
      const list = h.fake.botMessages(SREYMOM);
      expect(list).toHaveLength(12);
      expect(list[1]?.text).toContain(
        h.core.content.translator.render("km", { key: "booking.staff_unmarked_more", params: { shown: "១០" } }),
      );
      expect(list[1]?.text).toContain("៖ ១២។");
      expect(list[2]?.text).toContain("ទី៣ ខែវិច្ឆិកា");
      expect(list[11]?.text).toContain("ទី១២ ខែវិច្ឆិកា");
      expect(list.slice(2).every((m) => buttonsOf(m).length > 0)).toBe(true);
      expect(await sessions()).toContain("⏳ ការណាត់ជួបដែលកន្លងហើយ ១៣ មិនទាន់បានកត់។");
    },
  );
});
