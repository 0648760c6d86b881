/**
 * End to end, in process: the real service (polling, inbox worker, outbox sender, jobs) against the fake Bot API
 * over HTTP, on a clock the test moves. A resident in danger, consent, the alert, a refused and an accepted claim,
 * escalation, relay both ways, handoff silence, quick exit; and a scan of every log line and outbox payload for
 * the resident's words and phone number.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { FakeTelegram } from "../../src/sandbox/fake-telegram.ts";
import { startFakeTelegramServer } from "../../src/sandbox/routes.ts";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { createService, type Service } from "../../src/service/service.ts";
import type { TextRef } from "../../src/base/reply.ts";
import { dangerLead } from "../../src/safety/screens.ts";
import { buttonsOf } from "../helpers/harness.ts";
import { sqliteOf } from "../helpers/test-database.ts";

const TOKEN = "4242424242:e2e-token-for-the-fake-bot-api-only";
const KEY = Buffer.from("jdY8+OltvMlJHD6Mv/HhPqcCCqh0afI+5lnYCziZHZo=", "base64");
const STAFF = -778;
const RESIDENT = 301;
const CASEWORKER = 401;
const SUPERVISOR = 402;
const OUTSIDER = 403;
const DANGER_TEXT = "ប្ដីខ្ញុំវាយខ្ញុំ ជួយផង";
const PHONE = "012 345 678";
const RELAY_TEXT = "ខ្ញុំនៅផ្ទះម្ដាយខ្ញុំឥឡូវនេះ";
const CASEWORKER_TEXT = "ខ្ញុំនឹងហៅអ្នកម៉ោង៣";

let fake: FakeTelegram;
let server: Awaited<ReturnType<typeof startFakeTelegramServer>>;
let dir: string;
let service: Service;
let clock = Date.parse("2026-11-19T02:00:00Z");
const logLines: string[] = [];

beforeEach(async () => {
  fake = new FakeTelegram({ token: TOKEN, now: () => clock });
  fake.addUser({ id: RESIDENT, first_name: "Srey", language_code: "km" });
  fake.addUser({ id: CASEWORKER, first_name: "Bopha", language_code: "km" });
  fake.addUser({ id: SUPERVISOR, first_name: "Vanna", language_code: "km" });
  fake.addUser({ id: OUTSIDER, first_name: "Visitor", language_code: "km" });
  fake.addGroup(STAFF, "Staff");
  server = await startFakeTelegramServer(fake);
  dir = mkdtempSync(join(tmpdir(), "spean-e2e-case-"));
  const config = loadConfig({
    BOT_TOKEN: TOKEN,
    TELEGRAM_API_ROOT: server.url,
    ENCRYPTION_KEY: KEY.toString("base64"),
    DATABASE_PATH: join(dir, "spean.db"),
    STAFF_CHAT_ID: String(STAFF),
    PORT: "0",
  });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  service = await createService(config, createLogger("debug", sink), { now: () => clock });
  await service.core.staff.register(CASEWORKER, "caseworker", "Bopha");
  await service.core.staff.register(SUPERVISOR, "supervisor", "Vanna");
  await service.start();
});

afterEach(async () => {
  await service.stop();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const t = (key: string) => service.core.content.translator.render("km", { key });
const texts = (chat: number) => fake.botMessages(chat).map((m) => m.text ?? "");
const waitForText = (chat: number, wanted: string, count = 1) =>
  fake
    .waitFor(() => texts(chat).filter((x) => x.includes(wanted)).length >= count, 15_000)
    .catch((err: Error) => {
      throw new Error(
        `${err.message}: no "${wanted}" in chat ${chat}; it has ${JSON.stringify(texts(chat).slice(-3))}`,
      );
    });

function press(userId: number, chat: number, label: string) {
  const message = [...fake.botMessages(chat)].reverse().find((m) => buttonsOf(m).some((b) => b.text === label));
  const button = buttonsOf(message).find((b) => b.text === label);
  if (!message || !button) throw new Error(`no button ${label} in ${chat}`);
  return fake.pressButton(userId, message.message_id, button.callback_data, chat);
}

async function tap(label: string, wanted: string) {
  press(RESIDENT, RESIDENT, label);
  await waitForText(RESIDENT, wanted);
}

describe("a referral, end to end", () => {
  it("runs from danger words to a claimed case, a conversation and a quick exit, leaking nothing", async () => {
    // An old message (older than 48 hours) that quick exit must leave alone.
    fake.sendText(RESIDENT, "/start");
    await waitForText(RESIDENT, t("main.menu_prompt"));
    // Telegram has the messages; wait until the service has recorded them as sent (with the old clock).
    await vi.waitFor(async () => expect(await service.core.outbox.counts()).toEqual({ sent: 3 }), {
      timeout: 5000,
      interval: 10,
    });
    const oldIds = fake.chatLog(RESIDENT).map((m) => m.message_id);
    clock += 49 * 3_600_000;

    // Danger words: the emergency numbers come first.
    fake.sendText(RESIDENT, DANGER_TEXT);
    await waitForText(RESIDENT, t("emergency.intro").split("\n")[0] as string);
    const afterDanger = texts(RESIDENT);
    const lead = dangerLead(["gbv"], service.core.content.directory).text[0] as TextRef;
    expect(afterDanger.at(-2)).toBe(service.core.content.translator.render("km", lead));

    await tap(t("emergency.ask_caseworker"), t("help.consent_explain").slice(0, 30));
    await tap(t("help.consent_yes"), t("help.contact_prompt"));
    await tap(t("help.contact_call"), t("help.phone_prompt"));
    fake.sendText(RESIDENT, PHONE);
    await waitForText(RESIDENT, t("help.time_prompt"));
    await tap(t("help.time_evening"), t("help.confirm_prompt"));
    await tap(t("help.confirm_send"), "SP-០០០១");

    // The alert reaches the staff chat.
    await waitForText(STAFF, "SP-0001");
    expect(texts(STAFF)[0]).toContain(t("casework.urgency_urgent"));

    // Someone not registered presses Claim: refused.
    press(OUTSIDER, STAFF, t("casework.button_claim"));
    await fake.waitFor(() =>
      fake.calls.some((c) => c.method === "answerCallbackQuery" && c.params.text === t("casework.not_allowed")),
    );
    expect((await service.core.referrals.get(1))?.status).toBe("open");

    // Nobody claims it for 15 minutes: it is posted again, mentioning the supervisor.
    clock += 15 * 60_000;
    expect(await service.runJob("referral-escalation")).toEqual({ escalated: 1 });
    await waitForText(STAFF, "Vanna");

    // The caseworker claims it: the resident is told who will contact them.
    press(CASEWORKER, STAFF, t("casework.button_claim"));
    await waitForText(RESIDENT, "Bopha");
    await fake.waitFor(() => buttonsOf(fake.botMessages(CASEWORKER).at(-1)).length > 0);

    // Talk through the bot, both ways; the assistant stays quiet.
    press(CASEWORKER, CASEWORKER, t("casework.button_talk"));
    await waitForText(RESIDENT, t("casework.resident_talking").slice(0, 20));
    const quietFrom = fake.botMessages(RESIDENT).length;
    fake.sendText(RESIDENT, RELAY_TEXT);
    await waitForText(CASEWORKER, RELAY_TEXT);
    fake.sendText(CASEWORKER, CASEWORKER_TEXT);
    await waitForText(RESIDENT, CASEWORKER_TEXT);
    expect(
      fake
        .botMessages(RESIDENT)
        .slice(quietFrom)
        .map((m) => m.text),
    ).toEqual([CASEWORKER_TEXT]);

    // Quick exit: every message id of the last 48 hours, and nothing older, in one deleteMessages call.
    const recentIds = fake
      .chatLog(RESIDENT)
      .filter((m) => !oldIds.includes(m.message_id))
      .map((m) => m.message_id);
    const started = Date.now();
    fake.sendText(RESIDENT, "/exit");
    const call = await fake.waitFor(() => fake.calls.find((c) => c.method === "deleteMessages"));
    await waitForText(RESIDENT, t("common.exit_neutral"));
    expect(Date.now() - started).toBeLessThan(3000);
    const deleted = call.params.message_ids as number[];
    expect(new Set(deleted)).toEqual(new Set([...recentIds, Math.max(...recentIds) + 1]));
    expect(deleted.filter((id) => oldIds.includes(id))).toEqual([]);
    await waitForText(CASEWORKER, "SP-0001", 3);

    // Nothing the resident wrote, and not their phone number, is in any log line, staff message or outbox payload.
    const cipher = createFieldCipher(KEY);
    const payloads = (
      sqliteOf(service.core).$client.prepare("select payload_enc from outbox").all() as { payload_enc: string }[]
    ).map((r) => cipher.decrypt(r.payload_enc));
    const staffTexts = [
      ...texts(STAFF),
      ...fake
        .botMessages(CASEWORKER)
        .filter((m) => m.text !== RELAY_TEXT)
        .map((m) => m.text ?? ""),
    ];
    const phoneForms = ["012345678", "012 345 678", "345 678", "12345678"];
    for (const haystack of [logLines.join("\n"), payloads.join("\n"), staffTexts.join("\n")]) {
      for (const secret of [DANGER_TEXT, "ប្ដីខ្ញុំវាយខ្ញុំ", RELAY_TEXT, CASEWORKER_TEXT, "Srey", ...phoneForms])
        expect(haystack).not.toContain(secret);
    }
    expect(logLines.length).toBeGreaterThan(5);
  });
});
