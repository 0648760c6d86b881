/**
 * Reminders on fake timers, delivered by the real outbox sender: the ladder, skipped rungs, quiet hours, cancel
 * and reschedule, a blocked bot (403), late and missed reminders; the reminder's buttons; counsellors' /today,
 * morning list and attended / no-show marks.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { DEMO_COUNSELLORS, seedDemoCounsellors } from "../../src/booking/demo-seed.ts";
import type { Site } from "../../src/booking/model.ts";
import { instantAt } from "../../src/base/local-time.ts";
import { buttonsOf, createHarness, type Harness, RESIDENT, STAFF_CHAT, SUPERVISOR } from "../helpers/harness.ts";
import { itOnSqlite, sqliteOf } from "../helpers/test-database.ts";

const TZ = "Asia/Phnom_Penh";
const SREYMOM = DEMO_COUNSELLORS[0].telegramUserId;
const PISETH = DEMO_COUNSELLORS[1].telegramUserId;
let h: Harness;

/** Local time in Phnom Penh → instant. */
const at = (day: number, hour: number, minute = 0, month = 11) =>
  instantAt({ year: 2026, month, day }, hour * 60 + minute, TZ);

// The sender runs on vitest's fake timers here, which cannot wait for a network database's answers: the tests that
// drive the sender are itOnSqlite. Reminders on PostgreSQL are covered by the booking store's contract cases
// (test/helpers/store-contracts.ts) and the outbox's.
beforeEach(async () => {
  vi.useFakeTimers({ now: at(21, 10), toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  h = await createHarness({}, { now: () => Date.now() });
  await seedDemoCounsellors(h.core.staff, h.core.booking.store);
  for (const id of [SREYMOM, PISETH]) h.fake.addUser({ id, first_name: `C${id}`, language_code: "km" });
});
afterEach(async () => {
  await h.side.sender.stop();
  await h.close();
  vi.useRealTimers();
});

async function book(startsAt: number, site: Site = "prek_pnov") {
  const result = await h.core.bookingDesk.book({
    chatId: RESIDENT,
    topic: "health",
    site,
    startsAt,
    forWhom: "self",
    locale: "km",
    ...(site === "phone" ? { phone: "012345678" } : {}),
  });
  if (!result.ok) throw new Error("slot not free");
  return result.appointment;
}

/** Moves the clock to `instant` and lets the sender run for two seconds. */
async function jumpTo(instant: number) {
  vi.setSystemTime(instant);
  h.side.sender.wake();
  await vi.advanceTimersByTimeAsync(2000);
}

const reminders = () => h.fake.botMessages(RESIDENT).filter((m) => (m.text ?? "").startsWith("⏰"));
const appointment = (id: number) => h.core.booking.store.get(id);
const lastIn = (chat: number) => h.fake.botMessages(chat).at(-1)?.text ?? "";

describe("the reminder ladder", () => {
  itOnSqlite(
    "sends 24 h and 2 h before, not a moment early, with the three buttons and without the topic",
    async () => {
      const a = await book(at(27, 9));
      await h.side.sender.start();
      await jumpTo(at(26, 8, 59));
      expect(reminders()).toHaveLength(0);
      await jumpTo(at(26, 9, 0));
      expect(reminders()).toHaveLength(1);
      const first = reminders()[0];
      expect(first?.text).toContain(h.render("booking.reminder"));
      expect(first?.text).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក");
      expect(first?.text).not.toContain(h.render("booking.topic_health"));
      expect(buttonsOf(first).map((b) => b.text)).toEqual([
        h.render("booking.coming"),
        h.render("booking.reschedule"),
        h.render("booking.cancel"),
      ]);
      // Silent and not forwardable: a lock-screen preview must not tell someone else that the family booked help.
      expect(first).toMatchObject({ disable_notification: true, protect_content: true });
      await jumpTo(at(27, 7, 0));
      expect(reminders()).toHaveLength(2);
      await jumpTo(at(27, 8, 0));
      expect(reminders()).toHaveLength(2);
      expect((await appointment(a.id))?.flag).toBeNull();
    },
  );

  itOnSqlite("booked 4 h ahead skips the 24 h rung; booked 2 h ahead has only the confirmation", async () => {
    vi.setSystemTime(at(26, 10));
    await book(at(26, 14), "phone");
    vi.setSystemTime(at(26, 13));
    await book(at(26, 15), "phone");
    const keys = sqliteOf(h.core)
      .$client.prepare("select dedupe_key from outbox where dedupe_key like 'reminder:%'")
      .all() as { dedupe_key: string }[];
    expect(keys.map((k) => k.dedupe_key)).toEqual(["reminder:1:120"]);
    await h.side.sender.start();
    await jumpTo(at(26, 12));
    expect(reminders()).toHaveLength(1);
    await jumpTo(at(26, 14, 30));
    expect(reminders()).toHaveLength(1);
  });

  itOnSqlite("a rung in quiet hours goes out at 20:30 the evening before, never between 21:00 and 07:00", async () => {
    await book(at(27, 8));
    await h.side.sender.start();
    await jumpTo(at(26, 20, 29));
    expect(reminders()).toHaveLength(1); // the 24 h rung, Thursday 08:00
    await jumpTo(at(26, 20, 30));
    expect(reminders()).toHaveLength(2);
    const sentAt = h.fake.calls
      .filter((c) => c.method === "sendMessage" && c.params.chat_id === RESIDENT)
      .map((c) => new Date(c.at).getUTCHours() + 7);
    for (const hour of sentAt) expect(hour % 24 >= 7 && hour % 24 < 21).toBe(true);
  });
});

describe("cancel and reschedule never leave a stale reminder", () => {
  itOnSqlite("a cancelled appointment sends nothing; a moved one reminds only for the new time", async () => {
    const first = await book(at(27, 9));
    const second = await book(at(30, 8));
    await h.core.bookingDesk.cancel(RESIDENT, first.id);
    const moved = await h.core.bookingDesk.reschedule(RESIDENT, second.id, at(27, 10));
    if (!moved?.ok) throw new Error("not moved");
    await h.side.sender.start();
    for (const day of [26, 27, 28, 29, 30]) for (const hour of [7, 8, 9, 10, 12, 20]) await jumpTo(at(day, hour, 1));
    const texts = reminders().map((m) => m.text ?? "");
    expect(texts).toHaveLength(2);
    for (const t of texts) expect(t).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ១០:០០ ព្រឹក");
  });
});

describe("when a reminder cannot go out as planned", () => {
  itOnSqlite(
    "403 (bot blocked): appointment flagged; counsellor and staff told, without the phone number",
    async () => {
      const a = await book(at(27, 9));
      h.fake.blockBot(RESIDENT);
      await h.side.sender.start();
      await jumpTo(at(26, 9));
      await jumpTo(at(26, 9, 1));
      expect((await appointment(a.id))?.flag).toBe("unreachable");
      expect(lastIn(SREYMOM)).toContain(h.render("booking.staff_unreachable"));
      expect(lastIn(STAFF_CHAT)).toContain("A-0001");
      // The later rung is not tried again against a chat that refuses.
      await jumpTo(at(27, 7, 1));
      expect(h.fake.calls.filter((c) => c.method === "sendMessage" && c.params.chat_id === RESIDENT)).toHaveLength(1);
    },
  );

  itOnSqlite("sent late (the service was down) but before the appointment: says it is late", async () => {
    await book(at(27, 9));
    vi.setSystemTime(at(26, 10));
    await h.side.sender.start();
    await jumpTo(at(26, 10));
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]?.text).toContain(h.render("booking.reminder_late"));
  });

  itOnSqlite(
    "not sent before the appointment began: recorded as missed, the counsellor and staff told, " +
      "nothing sent to the family",
    async () => {
      const a = await book(at(27, 9));
      vi.setSystemTime(at(26, 9, 5));
      await h.side.sender.start();
      await jumpTo(at(26, 9, 5)); // the 24 h rung, 5 minutes late: still on time
      expect(reminders()[0]?.text).toContain(h.render("booking.reminder"));
      await h.side.sender.stop();
      vi.setSystemTime(at(27, 9, 5)); // down through the 2 h rung until after the start
      await h.side.sender.start();
      await jumpTo(at(27, 9, 5));
      expect(reminders()).toHaveLength(1);
      expect((await appointment(a.id))?.flag).toBe("reminder_missed");
      expect(lastIn(SREYMOM)).toContain(h.render("booking.staff_reminder_missed"));
      expect(lastIn(STAFF_CHAT)).toContain("A-0001");
    },
  );

  it("the minute job finds reminders of appointments that began while the sender was held up", async () => {
    const a = await book(at(27, 9));
    vi.setSystemTime(at(27, 9, 30));
    expect(await h.core.bookingDesk.sweepMissed()).toBe(1);
    expect(await h.core.bookingDesk.sweepMissed()).toBe(0);
    expect((await appointment(a.id))?.flag).toBe("reminder_missed");
  });
});

describe("the reminder's buttons", () => {
  itOnSqlite("I will come records it; Change the time opens the days; Cancel asks first", async () => {
    const a = await book(at(27, 9));
    await h.side.sender.start();
    await jumpTo(at(26, 9));
    await h.press(h.render("booking.coming"));
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.coming_thanks"));
    expect((await appointment(a.id))?.confirmedAt).not.toBeNull();
    await h.press(h.render("booking.reschedule"));
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.day_prompt"));
    await h.press(h.render("booking.cancel"));
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.cancel_prompt"));
    await h.press(h.render("booking.cancel_yes"));
    expect((await appointment(a.id))?.status).toBe("cancelled");
  });

  it("another family's reminder button (forged data) gets nothing", async () => {
    const a = await book(at(27, 9));
    h.fake.addUser({ id: 5002, first_name: "Other", language_code: "km" });
    await h.handle(h.fake.sendText(5002, "/start"));
    await h.handle(
      h.fake.pressButton(5002, h.fake.botMessages(5002).at(-1)?.message_id as number, `a:c:${a.id.toString(36)}`),
    );
    expect(h.fake.botMessages(5002).at(-1)?.text).toBe(h.render("booking.gone"));
    expect((await appointment(a.id))?.status).toBe("booked");
  });
});

describe("counsellors", () => {
  it("/today lists the day; marks need the appointment to have begun; the mark edits the entry", async () => {
    await book(at(27, 9));
    await book(at(27, 10));
    vi.setSystemTime(at(27, 7));
    await h.sayAs(SREYMOM, "/today");
    const list = h.fake.botMessages(SREYMOM);
    expect(list.at(-3)?.text).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា");
    expect(list.at(-2)?.text).toContain("៩:០០ ព្រឹក");
    await h.pressAs(SREYMOM, SREYMOM, h.render("booking.mark_attended"));
    expect(h.callbackAnswers().at(-1)?.text).toBe(h.render("booking.staff_not_started"));
    vi.setSystemTime(at(27, 9, 10));
    const entry = list.at(-2);
    const attended = buttonsOf(entry).find((b) => b.text === h.render("booking.mark_attended"));
    await h.handle(h.fake.pressButton(SREYMOM, entry?.message_id as number, attended?.callback_data as string));
    expect((await h.core.booking.store.get(1))?.status).toBe("attended");
    expect(h.fake.botMessages(SREYMOM).find((m) => m.message_id === entry?.message_id)?.text).toContain("✅");
    expect((await h.core.booking.store.get(2))?.status).toBe("booked");
  });

  it("a resident pressing a counsellor's button gets a refusal; another counsellor too; a supervisor may", async () => {
    const a = await book(at(27, 9));
    vi.setSystemTime(at(27, 9, 30));
    const data = `v:n:${a.id.toString(36)}`;
    /** Presses the (forged or real) button on the latest bot message in the presser's own chat. */
    const pressIn = async (userId: number) => {
      await h.sayAs(userId, "/start");
      await h.handle(h.fake.pressButton(userId, h.fake.botMessages(userId).at(-1)?.message_id as number, data));
    };
    await pressIn(RESIDENT);
    expect(h.callbackAnswers().at(-1)).toMatchObject({ text: h.render("booking.staff_not_allowed"), show_alert: true });
    await pressIn(PISETH);
    expect(h.callbackAnswers().at(-1)?.text).toBe(h.render("booking.staff_not_allowed"));
    expect((await appointment(a.id))?.status).toBe("booked");
    await pressIn(SUPERVISOR);
    expect((await appointment(a.id))?.status).toBe("no_show");
    const audit = (await h.core.staff.auditLog()).filter((r) => r.action === "appointment_no_show");
    expect(audit.map((r) => [r.telegramUserId, r.allowed])).toEqual([
      [RESIDENT, false],
      [PISETH, false],
      [SUPERVISOR, true],
    ]);
  });

  it("a resident typing /today gets 'unknown command'; the phone number is only a counsellor's pop-up", async () => {
    await h.say("/start");
    await h.say("/today");
    expect(h.lastTexts(2)[0]).toBe(h.render("common.unknown_command"));
    const a = await book(at(26, 14), "phone");
    await h.sayAs(SREYMOM, "/today");
    await h.handle(
      h.fake.pressButton(SREYMOM, h.fake.botMessages(SREYMOM).at(-1)?.message_id as number, `v:p:${a.id.toString(36)}`),
    );
    expect(h.callbackAnswers().at(-1)).toMatchObject({ text: "📞 012345678", show_alert: true });
    await h.deliverQueued();
    for (const id of [SREYMOM, STAFF_CHAT])
      for (const m of h.fake.botMessages(id)) expect(m.text ?? "").not.toContain("012345678");
  });

  it("the morning list goes to each counsellor with appointments that day, once", async () => {
    await book(at(27, 9));
    vi.setSystemTime(at(27, 7));
    expect(await h.core.bookingDesk.postDayLists({ year: 2026, month: 11, day: 27 })).toBe(1);
    await h.core.bookingDesk.postDayLists({ year: 2026, month: 11, day: 27 });
    await h.deliverQueued();
    const headings = h.fake.botMessages(SREYMOM).filter((m) => (m.text ?? "").startsWith("📅"));
    expect(headings).toHaveLength(1);
    expect(h.fake.botMessages(PISETH).filter((m) => (m.text ?? "").startsWith("📅"))).toHaveLength(0);
  });
});
