/**
 * Booking by taps and by typing, for oneself or a family member, by phone; My appointments, cancel, reschedule,
 * several appointments; 50 people pressing Book on the same slot at once. The clock starts on Saturday
 * 21 November 2026, 10:00 in Phnom Penh; 23-25 November are Water Festival holidays, so the first bookable days
 * are Thursday 26 (Russey Keo) and Friday 27 (Prek Pnov) with the demo counsellors.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEMO_COUNSELLORS, seedDemoCounsellors } from "../../src/booking/demo-seed.ts";
import { buttonsOf, createHarness, type Harness, RESIDENT } from "../helpers/harness.ts";
import { rowsOf } from "../helpers/test-database.ts";

let h: Harness;
const SREYMOM = DEMO_COUNSELLORS[0].telegramUserId;

beforeEach(async () => {
  h = await createHarness();
  await seedDemoCounsellors(h.core.staff, h.core.booking.store);
  h.fake.addUser({ id: SREYMOM, first_name: "Sreymom", language_code: "km" });
});
afterEach(() => h.close());

const appointments = () => rowsOf(h.core, "select * from appointments order by id");
const pendingReminders = async () =>
  (
    await rowsOf(
      h.core,
      "select dedupe_key from outbox where status = 'pending' and dedupe_key like 'reminder:%' order by dedupe_key",
    )
  ).map((r) => r.dedupe_key as string);

async function startBooking(topic = "booking.topic_health", site = "booking.site_prek_pnov") {
  await h.say("/start");
  await h.press(h.render("main.choice_book"));
  await h.press(h.render(topic));
  await h.press(h.render(site));
}

describe("booking by taps", () => {
  it("topic, place, day, time, for me, summary, booked: with reminders queued and the counsellor told", async () => {
    await startBooking();
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.day_prompt"));
    const days = buttonsOf(h.last()).map((b) => b.text);
    // Prek Pnov is open Monday, Wednesday and Friday; the Water Festival (23-25 November) is skipped.
    expect(days.slice(0, 3)).toEqual(["សុក្រ ២៧ វិច្ឆិកា", "ចន្ទ ៣០ វិច្ឆិកា", "ពុធ ២ ធ្នូ"]);
    expect(days).not.toContain("ពុធ ២៥ វិច្ឆិកា");
    await h.press("សុក្រ ២៧ វិច្ឆិកា");
    expect(
      buttonsOf(h.last())
        .slice(0, 3)
        .map((b) => b.text),
    ).toEqual(["៨:០០ ព្រឹក", "៩:០០ ព្រឹក", "១០:០០ ព្រឹក"]);
    await h.press("៩:០០ ព្រឹក");
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.who_prompt"));
    await h.press(h.render("booking.who_self"));
    const summary = h.lastTexts(1)[0] as string;
    expect(summary).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក");
    expect(summary).toContain(h.render("booking.site_prek_pnov"));
    await h.press(h.render("booking.confirm_yes"));
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.booked"));
    expect(h.last()?.protect_content).toBe(true);

    const [booked] = await appointments();
    expect(booked).toMatchObject({
      chat_id: RESIDENT,
      counsellor_id: SREYMOM,
      topic: "health",
      site: "prek_pnov",
      status: "booked",
      for_whom: "self",
    });
    expect(await pendingReminders()).toEqual([`reminder:${booked?.id}:120`, `reminder:${booked?.id}:1440`]);
    await h.deliverQueued();
    const told = h.fake.botMessages(SREYMOM).at(-1)?.text ?? "";
    expect(told).toContain(h.render("booking.staff_new"));
    expect(told).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក");
  });

  it("English gets English dates", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_language"));
    await h.press("English");
    await h.press(h.render("main.choice_book", "en"));
    await h.press(h.render("booking.topic_work", "en"));
    await h.press(h.render("booking.site_russey_keo", "en"));
    expect(buttonsOf(h.last())[0]?.text).toBe("Thu 26 Nov");
    await h.press("Thu 26 Nov");
    await h.press("10:00 am");
    await h.press(h.render("booking.who_self", "en"));
    expect(h.lastTexts(1)[0]).toContain("Thursday 26 November, 10:00 am");
  });

  it("for a family member, by phone: name asked, phone checked (Khmer digits), both stored encrypted", async () => {
    await startBooking("booking.topic_family", "booking.site_phone");
    await h.press(buttonsOf(h.last())[0]?.text as string);
    await h.press("២:០០ រសៀល");
    await h.press(h.render("booking.who_family"));
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.name_prompt"));
    await h.say("ដារា");
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.phone_prompt"));
    await h.say("០១២ ៣៤៥ ៦៧");
    expect(h.lastTexts(2)[0]).toBe(h.render("booking.phone_invalid"));
    await h.say("hello");
    expect(h.lastTexts(2)[0]).toBe(h.render("booking.phone_invalid"));
    await h.say("០១២ ៣៤៥ ៦៧៨");
    const summary = h.lastTexts(1)[0] as string;
    expect(summary).toContain("ដារា");
    expect(summary).toContain("០១២៣៤៥៦៧៨");
    await h.press(h.render("booking.confirm_yes"));
    const [row] = await appointments();
    expect(row).toMatchObject({ for_whom: "family", site: "phone", topic: "family" });
    expect(String(row?.family_name_enc)).not.toContain("ដារា");
    expect(String(row?.phone_enc)).not.toContain("012");
    const a = await h.core.booking.store.get(row?.id as number);
    expect([a?.familyName, a?.phone]).toEqual(["ដារា", "012345678"]);
  });

  it("an empty-looking or over-long name, and a sticker on the days screen, get a clear answer", async () => {
    await startBooking();
    await h.handle(h.fake.sendOther(RESIDENT, "sticker"));
    expect(h.lastTexts(2)).toEqual([
      `${h.render("common.unsupported")}\n\n${h.safetyNet()}`,
      h.render("booking.day_prompt"),
    ]);
    await h.press("សុក្រ ២៧ វិច្ឆិកា");
    await h.press("៩:០០ ព្រឹក");
    await h.press(h.render("booking.who_family"));
    await h.say("ក".repeat(41));
    expect(h.lastTexts(2)).toEqual([h.render("booking.name_invalid"), h.render("booking.name_prompt")]);
    await h.say("\u200b");
    expect(h.lastTexts(2)[0]).toBe(h.render("booking.name_invalid"));
  });

  it("sharing the contact works for the phone question", async () => {
    await startBooking("booking.topic_health", "booking.site_phone");
    await h.press(buttonsOf(h.last())[0]?.text as string);
    await h.press("២:០០ រសៀល");
    await h.press(h.render("booking.who_self"));
    await h.handle(h.fake.sendContact(RESIDENT, "+85512345678"));
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.confirm_prompt"));
  });

  it("a place with no free days says so and offers another place", async () => {
    await h.core.booking.store.setCounsellorActive(DEMO_COUNSELLORS[1].telegramUserId, false);
    await startBooking("booking.topic_legal", "booking.site_chbar_ampov");
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.no_days"));
    await h.press(h.render("booking.other_place"));
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.site_prompt"));
  });
});

describe("booking by typing", () => {
  it.each([
    ["២៧/១១ ម៉ោង៩ព្រឹក", "Khmer digits and ម៉ោង…ព្រឹក"],
    ["27/11 9:00", "Latin digits"],
    ["ថ្ងៃសុក្រ ៩:០០", "a weekday and a time"],
  ])("%s (%s) goes straight to 'for whom'", async (typed) => {
    await startBooking();
    await h.say(typed);
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.who_prompt"));
    await h.press(h.render("booking.who_self"));
    expect(h.lastTexts(1)[0]).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក");
  });

  it("a typed day opens that day's times; a typed time on the times screen picks it", async () => {
    await startBooking();
    await h.say("ថ្ងៃសុក្រ");
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.time_prompt"));
    await h.say("១០:០០");
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.who_prompt"));
  });

  it.each([
    ["20/11", "booking.when_past"],
    ["ថ្ងៃនេះ ម៉ោង៨ព្រឹក", "booking.when_past"],
    ["31/02", "booking.when_impossible_date"],
    ["25:00", "booking.when_impossible_time"],
    ["៩:៣០", "booking.when_need_day"],
    ["blue", "booking.when_not_understood"],
  ])("%s is refused with a clear reason, and the days are shown again", async (typed, key) => {
    await startBooking();
    await h.say(typed);
    expect(h.lastTexts(2)).toEqual([h.render(key), h.render("booking.day_prompt")]);
  });

  it("a weekend, a public holiday, a day too far and a full day each get their own answer", async () => {
    await startBooking();
    await h.say("ថ្ងៃស្អែក");
    expect(h.lastTexts(2)[0]).toBe(
      h.core.content.translator.render("km", {
        key: "booking.when_day_closed",
        params: { day: "ថ្ងៃអាទិត្យ ទី២២ ខែវិច្ឆិកា" },
      }),
    );
    await h.say("24/11");
    expect(h.lastTexts(2)[0]).toContain("ថ្ងៃអង្គារ ទី២៤ ខែវិច្ឆិកា");
    await h.say("15/12");
    expect(h.lastTexts(2)[0]).toBe(h.render("booking.when_day_too_far"));
    await h.say("ថ្ងៃព្រហស្បតិ៍"); // Prek Pnov has no sessions on Thursdays
    expect(h.lastTexts(2)[0]).toContain("ថ្ងៃព្រហស្បតិ៍ ទី២៦ ខែវិច្ឆិកា");
  });

  it("a typed time that is not free offers the nearest free times", async () => {
    await startBooking();
    await h.say("27/11 ម៉ោង១២ថ្ងៃត្រង់");
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.nearby"));
    const labels = buttonsOf(h.last()).map((b) => b.text);
    expect(labels.slice(0, 3)).toEqual([
      "សុក្រ ២៧ វិច្ឆិកា · ៨:០០ ព្រឹក",
      "សុក្រ ២៧ វិច្ឆិកា · ៩:០០ ព្រឹក",
      "សុក្រ ២៧ វិច្ឆិកា · ១០:០០ ព្រឹក",
    ]);
    await h.press("សុក្រ ២៧ វិច្ឆិកា · ១០:០០ ព្រឹក");
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.who_prompt"));
  });
});

describe("my appointments", () => {
  async function book(dayLabel: string, time: string, site = "booking.site_prek_pnov") {
    await startBooking("booking.topic_health", site);
    await h.press(dayLabel);
    await h.press(time);
    await h.press(h.render("booking.who_self"));
    await h.press(h.render("booking.confirm_yes"));
  }

  it("lists several appointments; cancel frees the slot and its reminders; reschedule moves both", async () => {
    await book("សុក្រ ២៧ វិច្ឆិកា", "៩:០០ ព្រឹក");
    await book("ចន្ទ ៣០ វិច្ឆិកា", "៨:០០ ព្រឹក");
    const [first, second] = await appointments();
    await h.press(h.render("booking.my_appointments"));
    const items = buttonsOf(h.last()).map((b) => b.text);
    const firstTwo = ["១. ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក", "២. ថ្ងៃចន្ទ ទី៣០ ខែវិច្ឆិកា ម៉ោង ៨:០០ ព្រឹក"];
    expect(items.slice(0, 2)).toEqual(firstTwo);

    await h.press(items[0] as string);
    await h.press(h.render("booking.cancel"));
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.cancel_prompt"));
    await h.press(h.render("booking.cancel_yes"));
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.cancelled"));
    expect((await appointments())[0]?.status).toBe("cancelled");
    expect((await pendingReminders()).filter((k) => k.startsWith(`reminder:${first?.id}:`))).toEqual([]);

    await h.press(h.render("booking.my_appointments"));
    await h.press("១. ថ្ងៃចន្ទ ទី៣០ ខែវិច្ឆិកា ម៉ោង ៨:០០ ព្រឹក");
    await h.press(h.render("booking.reschedule"));
    await h.say("27/11 9:00"); // the slot freed by the cancellation
    const summary = h.lastTexts(1)[0] as string;
    expect(summary).toContain("ថ្ងៃចន្ទ ទី៣០ ខែវិច្ឆិកា ម៉ោង ៨:០០ ព្រឹក");
    expect(summary).toContain("ថ្ងៃសុក្រ ទី២៧ ខែវិច្ឆិកា ម៉ោង ៩:០០ ព្រឹក");
    await h.press(h.render("booking.confirm_yes"));
    const rows = await appointments();
    expect(rows.map((r) => r.status)).toEqual(["cancelled", "rescheduled", "booked"]);
    expect(rows[2]?.rescheduled_from).toBe(second?.id);
    expect(await pendingReminders()).toEqual([`reminder:${rows[2]?.id}:120`, `reminder:${rows[2]?.id}:1440`]);
  });

  it("an old Cancel button on a cancelled appointment says it is no longer booked", async () => {
    await book("សុក្រ ២៧ វិច្ឆិកា", "៩:០០ ព្រឹក");
    const [a] = await appointments();
    await h.core.bookingDesk.cancel(RESIDENT, a?.id as number);
    await h.handle(
      h.fake.pressButton(RESIDENT, h.last()?.message_id as number, `a:c:${(a?.id as number).toString(36)}`),
    );
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.gone"));
  });

  it("with nothing booked, says so and offers to book", async () => {
    await h.say("/start");
    await h.press(h.render("main.choice_appointments"));
    expect(h.lastTexts(1)[0]).toContain(h.render("booking.mine_empty"));
    await h.press(h.render("booking.book_new"));
    expect(h.lastTexts(1)[0]).toBe(h.render("booking.topic_prompt"));
  });
});

describe("no double booking", () => {
  it("the database refuses a second appointment in a counsellor's slot, whatever the code checked", async () => {
    const store = h.core.booking.store;
    const slot = {
      chatId: 1,
      counsellorId: SREYMOM,
      topic: "health",
      site: "prek_pnov",
      startsAt: 1_800_000_000_000,
      endsAt: 1_800_003_600_000,
      forWhom: "self",
      locale: "km",
    } as const;
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        try {
          await store.insert({ ...slot, chatId: 100 + i });
          return "booked";
        } catch (err) {
          return (err as { code?: string }).code;
        }
      }),
    );
    expect(outcomes.filter((o) => o === "booked")).toHaveLength(1);
    expect(outcomes.filter((o) => o === "SPEAN_SLOT_TAKEN")).toHaveLength(49);
    // A cancelled appointment frees the slot.
    const [first] = await appointments();
    await store.setStatus(first?.id as number, "cancelled");
    await expect(store.insert({ ...slot, chatId: 999 })).resolves.toMatchObject({ chatId: 999 });
  });

  it("50 residents confirm one slot at once: exactly one booking, the others get the nearest free times", async () => {
    await h.core.booking.store.setCounsellorActive(DEMO_COUNSELLORS[1].telegramUserId, false);
    const people = Array.from({ length: 50 }, (_, i) => 7000 + i);
    const confirms: { userId: number; messageId: number; data: string }[] = [];
    for (const userId of people) {
      h.fake.addUser({ id: userId, first_name: `R${userId}`, language_code: "km" });
      for (const step of ["/start"]) await h.handle(h.fake.sendText(userId, step));
      const tap = async (label: string) => {
        const message = [...h.fake.botMessages(userId)]
          .reverse()
          .find((m) => buttonsOf(m).some((b) => b.text === label));
        const button = buttonsOf(message).find((b) => b.text === label) as { callback_data: string };
        await h.handle(h.fake.pressButton(userId, message?.message_id as number, button.callback_data));
      };
      await tap(h.render("main.choice_book"));
      await tap(h.render("booking.topic_health"));
      await tap(h.render("booking.site_prek_pnov"));
      await h.handle(h.fake.sendText(userId, "27/11 9:00"));
      await tap(h.render("booking.who_self"));
      const confirm = h.fake.botMessages(userId).at(-1);
      const yes = buttonsOf(confirm).find((b) => b.text === h.render("booking.confirm_yes")) as {
        callback_data: string;
      };
      confirms.push({ userId, messageId: confirm?.message_id as number, data: yes.callback_data });
    }
    await Promise.all(confirms.map((c) => h.handle(h.fake.pressButton(c.userId, c.messageId, c.data))));
    const booked = (await appointments()).filter((a) => a.status === "booked");
    expect(booked).toHaveLength(1);
    const losers = people.filter((p) => p !== booked[0]?.chat_id);
    for (const userId of losers) {
      const last = h.fake.botMessages(userId).at(-1);
      expect(last?.text).toBe(h.render("booking.taken"));
      expect(buttonsOf(last).map((b) => b.text)).toContain("សុក្រ ២៧ វិច្ឆិកា · ៨:០០ ព្រឹក");
    }
  });
});
