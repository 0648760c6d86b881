/**
 * Residents' rights over their data: /mydata (and the privacy screen's button) says what Spean keeps, counts and
 * references only; /forget asks once more, then erases everything about the chat, keeps anonymous counts, closes
 * an open case and cancels coming appointments with a reference-only notice to staff, deletes the chat's
 * messages, and leaves nothing of the chat's id in the database file or its write-ahead log.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_COUNSELLORS, seedDemoCounsellors } from "../../src/booking/demo-seed.ts";
import { caseNumber } from "../../src/referrals/store.ts";
import { scheduledJobs } from "../../src/service/jobs.ts";
import {
  CASEWORKER,
  createHarness,
  type Harness,
  RESIDENT,
  referToCaseworker,
  STAFF_CHAT,
  startTalking,
} from "../helpers/harness.ts";
import { itOnSqlite, rowsOf } from "../helpers/test-database.ts";

let h: Harness;
let dir: string | undefined;
afterEach(async () => {
  await h.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const SREYMOM = DEMO_COUNSELLORS[0].telegramUserId;
const count = async (sql: string, ...params: unknown[]) => (await rowsOf(h.core, sql, params))[0]?.n;

/** A coming appointment for the resident, booked through the desk on the first free slot. */
async function bookAppointment(chatId = RESIDENT) {
  await seedDemoCounsellors(h.core.staff, h.core.booking.store);
  h.fake.addUser({ id: SREYMOM, first_name: "Sreymom", language_code: "km" });
  const [day] = await h.core.booking.slots.freeDays("health", "prek_pnov");
  const [slot] = await h.core.booking.slots.slotsOn("health", "prek_pnov", day as never);
  const request = { chatId, topic: "health", site: "prek_pnov", forWhom: "family", familyName: "Dara", locale: "km" };
  const result = await h.core.bookingDesk.book({ ...request, startsAt: slot?.startsAt as number } as never);
  if (!result.ok) throw new Error("no slot");
  return result.appointment;
}

async function forget(userId = RESIDENT) {
  await h.handle(h.fake.sendText(userId, "/forget"));
  await h.pressAs(userId, userId, h.render("privacy.forget_yes"));
  await h.deliverQueued();
}

describe("/mydata", () => {
  it("lists language, record, questions, the open case and coming appointments; no content", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.say("ធ្វើលិខិតឆ្លងដែនយ៉ាងម៉េច");
    await referToCaseworker(h);
    const appointment = await bookAppointment();
    await h.say("/mydata");
    const text = h.lastTexts(1)[0] as string;
    expect(text).toContain(h.render("privacy.mydata_title"));
    expect(text).toContain(
      h.renderRef({ key: "privacy.language", params: { language: { key: "privacy.language_km" } } }),
    );
    expect(text).toContain(h.renderRef({ key: "privacy.questions", params: { count: "១" } }));
    expect(text).toContain(caseNumber(1));
    expect(text).toContain(`A-${String(appointment.id).padStart(4, "0")}`);
    expect(text).not.toContain("លិខិតឆ្លងដែនយ៉ាងម៉េច");
    expect(text).not.toContain("Dara");
    const sent = h.fake.calls.filter((c) => c.method === "sendMessage").at(-1)?.params as Record<string, unknown>;
    expect(sent.protect_content).toBe(true);
  });

  it("is one tap from the privacy screen, and so is the question before erasing; 'No' erases nothing", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.press(h.render("main.choice_privacy"));
    await h.press(h.render("privacy.choice_mydata"));
    expect(h.lastTexts(2)[0]).toContain(h.render("privacy.mydata_title"));
    await h.press(h.render("privacy.choice_forget"));
    expect(h.lastTexts(1)[0]).toBe(h.render("privacy.forget_confirm"));
    await h.press(h.render("privacy.forget_no"));
    expect(h.last()?.text).toBe(h.render("privacy.kept"));
    expect(await count("select count(*) as n from users where chat_id = ?", RESIDENT)).toBe(1);
  });
});

describe("/forget", () => {
  it("erases the chat, keeps anonymous counts, closes the case, cancels appointments, staff told", async () => {
    h = await createHarness();
    await startTalking(h);
    await h.say("ធ្វើលិខិតឆ្លងដែនយ៉ាងម៉េច"); // relayed to the caseworker while they talk
    const appointment = await bookAppointment();
    await h.pressAs(RESIDENT, STAFF_CHAT, h.render("casework.button_claim")).catch(() => undefined); // refused, audited
    const questionsBefore = await count("select count(*) as n from questions");
    const residentMessages = h.fake.botMessages(RESIDENT).length;

    await forget();

    for (const table of ["users", "conversations", "interactions", "chat_messages", "outbox", "appointments"]) {
      expect(await count(`select count(*) as n from ${table} where chat_id = ?`, RESIDENT), table).toBe(0);
    }
    expect(await count("select count(*) as n from referrals where chat_id = ?", RESIDENT)).toBe(0);
    expect(await count("select count(*) as n from staff_audit where telegram_user_id = ?", RESIDENT)).toBe(0);
    expect(await count("select count(*) as n from inbox where lane = ?", `chat:${RESIDENT}`)).toBe(0);
    // Counts stay, under an anonymous id, without text, contact, name or phone.
    expect(await count("select count(*) as n from questions")).toBe(questionsBefore);
    expect(await count("select count(*) as n from questions where text_enc is not null")).toBe(0);
    const [referral] = await rowsOf(h.core, "select * from referrals");
    expect(referral).toMatchObject({ status: "closed_by_resident", contact_enc: null });
    expect(referral?.chat_id as number).toBeLessThan(-(2 ** 52) + 1);
    expect(await count("select count(*) as n from case_messages where text_enc is not null")).toBe(0);
    const [booked] = await rowsOf(h.core, "select * from appointments where id = ?", [appointment.id]);
    expect(booked).toMatchObject({ status: "cancelled", family_name_enc: null, phone_enc: null });
    // Staff: a reference, nothing else.
    const toCaseworker = h.fake.botMessages(CASEWORKER).at(-1)?.text;
    expect(toCaseworker).toBe(h.renderRef({ key: "casework.resident_forgot", params: { case: caseNumber(1) } }));
    const toCounsellor = h.fake.botMessages(SREYMOM).at(-1)?.text ?? "";
    expect(toCounsellor).toContain(`A-${String(appointment.id).padStart(4, "0")}`);
    expect(toCounsellor).not.toContain("Dara");
    // In the chat: the messages of the last 48 hours deleted, one confirmation left.
    const deleted = h.fake.calls.filter((c) => c.method === "deleteMessages");
    expect(deleted.flatMap((c) => (c.params as { message_ids: number[] }).message_ids).length).toBeGreaterThan(
      residentMessages,
    );
    expect(h.fake.botMessages(RESIDENT).map((m) => m.text)).toEqual([h.render("privacy.forgotten")]);
  });

  it("a forged or misplaced erase button erases nothing (unknown data, a press outside the own chat)", async () => {
    h = await createHarness();
    await h.say("/start");
    await h.handle(h.fake.sendGroupText(STAFF_CHAT, CASEWORKER, "/sessions")); // a bot message in the staff group
    const inGroup = h.fake.botMessages(STAFF_CHAT).at(-1) as { message_id: number };
    for (const [data, chat, message] of [
      ["f:z:0", RESIDENT, h.last()?.message_id as number],
      ["f:y:0", STAFF_CHAT, inGroup.message_id],
    ] as const) {
      await h.handle(h.fake.pressButton(RESIDENT, message, data, chat));
      expect(h.callbackAnswers().at(-1)?.text).toBe(h.render("common.expired_short"));
    }
    expect(await count("select count(*) as n from users where chat_id = ?", RESIDENT)).toBe(1);
  });

  itOnSqlite("leaves nothing of the chat's id in the database file or its write-ahead log", async () => {
    dir = mkdtempSync(join(tmpdir(), "spean-forget-"));
    const path = join(dir, "spean.db");
    h = await createHarness({ DATABASE_PATH: path });
    const resident = 7_391_204_567; // large enough that its 6-byte form cannot turn up by chance
    h.fake.addUser({ id: resident, first_name: "Test", language_code: "km" });
    await h.handle(h.fake.sendText(resident, "/start"));
    await h.handle(h.fake.sendText(resident, "ធ្វើលិខិតឆ្លងដែនយ៉ាងម៉េច"));
    const asText = Buffer.from(String(resident));
    const asInteger = Buffer.alloc(8);
    asInteger.writeBigInt64BE(BigInt(resident));
    const sixBytes = asInteger.subarray(2); // SQLite stores this value in 6 bytes
    const files = () => [path, `${path}-wal`].map((file) => readFileSync(file, { flag: "a+" }));
    // The scan can see the chat before /forget (so that its finding nothing afterwards means something).
    expect(files().some((bytes) => bytes.includes(sixBytes) && bytes.includes(asText))).toBe(true);

    await forget(resident);
    await scheduledJobs(h.core)
      .find((j) => j.name === "privacy-sweep")
      ?.run();

    for (const [i, bytes] of files().entries()) {
      expect(bytes.indexOf(asText), `file ${i}`).toBe(-1);
      expect(bytes.indexOf(sixBytes), `file ${i}`).toBe(-1);
    }
    expect(await count("select count(*) as n from questions")).toBe(1);
  });
});
