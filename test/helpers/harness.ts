/**
 * A bot harness for tests: the real core (in-memory database, real flows and locales) and the real grammY bot,
 * with every Bot API call routed to an in-memory fake Telegram instead of the network.
 */
import type { Transformer } from "grammy";
import type { Update } from "grammy/types";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { FakeTelegram } from "../../src/sandbox/fake-telegram.ts";
import type { TextRef } from "../../src/base/reply.ts";
import type { DangerKind } from "../../src/safety/rules.ts";
import { dangerLead, safetyNetLine } from "../../src/safety/screens.ts";
import type { Content } from "../../src/content/load.ts";
import { createCore, loadServiceContent } from "../../src/service/core.ts";
import type { FeatureList } from "../../src/service/features.ts";
import { SANDBOX_TOKEN } from "../../src/service/sandbox.ts";
import { createTelegramSide } from "../../src/service/telegram-side.ts";
import { freshPostgresDatabase } from "./postgres.ts";
import { TEST_DATABASE } from "./test-database.ts";

export const RESIDENT = 5001;
export const STAFF_CHAT = -4001;
/** Registered staff (as by /join), and a member of the staff group who is not registered. */
export const CASEWORKER = 6001;
export const SUPERVISOR = 6002;
export const OUTSIDER = 6003;

/**
 * Content is read from disk once per test file and per retention period (it is never changed by a test): loading
 * it is most of what creating a core costs.
 */
const loadedContent = new Map<number, Content>();
function contentFor(config: ReturnType<typeof loadConfig>): Content {
  let content = loadedContent.get(config.retentionDays);
  if (!content) loadedContent.set(config.retentionDays, (content = loadServiceContent(config)));
  return content;
}

/**
 * `options.now` replaces the harness's own clock (e.g. Date.now under vitest's fake timers); `options.features`
 * replaces the feature list (default: Spean's own); `options.content` changes the loaded content (e.g. adds a
 * shipped recording).
 */
export async function createHarness(
  env: Record<string, string> = {},
  options: {
    now?: () => number;
    features?: FeatureList;
    content?: (content: Content) => Content;
    database?: "sqlite" | "postgres";
    /** The fake Bot API's first update id (see FakeTelegramOptions.firstUpdateId). */
    firstUpdateId?: number;
  } = {},
) {
  let clock = Date.parse("2026-11-21T03:00:00Z");
  const now = options.now ?? (() => clock);
  // The harness's clock stands still unless a test moves it, so Telegram's sending limits are off here: they are
  // tested in test/unit/outbox-sender.test.ts and, end to end, in test/e2e/flood.test.ts.
  // On PostgreSQL, each harness gets an empty database of its own on the test server, dropped when it closes.
  const postgres = (options.database ?? TEST_DATABASE) === "postgres" ? await freshPostgresDatabase() : undefined;
  const config = {
    ...loadConfig({
      DATABASE_PATH: ":memory:",
      STAFF_CHAT_ID: String(STAFF_CHAT),
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      ...env,
    }),
    outboxRatePerSecond: 1_000_000,
    outboxChatIntervalMs: 0,
  };
  const logger = createLogger("silent");
  const core = await createCore(config, logger, now, {
    content: options.content ? options.content(contentFor(config)) : contentFor(config),
    ...(options.features ? { features: options.features } : {}),
  });
  const fake = new FakeTelegram({
    token: SANDBOX_TOKEN,
    now,
    ...(options.firstUpdateId ? { firstUpdateId: options.firstUpdateId } : {}),
  });
  fake.addUser({ id: RESIDENT, first_name: "Test", language_code: "km" });
  fake.addGroup(STAFF_CHAT, "Staff");
  fake.addUser({ id: CASEWORKER, first_name: "Bopha", language_code: "km" });
  fake.addUser({ id: SUPERVISOR, first_name: "Vanna", language_code: "km" });
  fake.addUser({ id: OUTSIDER, first_name: "Someone", language_code: "km" });
  await core.staff.register(CASEWORKER, "caseworker", "Bopha");
  await core.staff.register(SUPERVISOR, "supervisor", "Vanna");
  const toFake: Transformer = async (_prev, method, payload) =>
    (await fake.call(SANDBOX_TOKEN, method, payload as Record<string, unknown>)) as never;
  const side = createTelegramSide(core, {
    token: SANDBOX_TOKEN,
    apiRoot: "http://127.0.0.1:9",
    botInfo: fake.botInfo,
    transformer: toFake,
  });

  /** Ingests an update into the inbox and handles it, as the worker would. */
  async function handle(update: Record<string, unknown>) {
    await core.inbox.ingest(update as never);
    await side.bot.handleUpdate(update as unknown as Update);
    await core.inbox.markDone(update.update_id as number);
  }

  return {
    core,
    fake,
    side,
    handle,
    advance(ms: number) {
      clock += ms;
    },
    /** The resident types text. */
    say: (text: string) => handle(fake.sendText(RESIDENT, text)),
    /** The resident presses the button labelled `label` on the bot's latest message that has it. */
    async press(label: string) {
      const message = [...fake.botMessages(RESIDENT)].reverse().find((m) => buttonsOf(m).some((b) => b.text === label));
      if (!message) throw new Error(`no button "${label}"; latest: ${JSON.stringify(lastButtons(fake))}`);
      const button = buttonsOf(message).find((b) => b.text === label) as { callback_data: string };
      await handle(fake.pressButton(RESIDENT, message.message_id, button.callback_data));
    },
    /** `userId` presses the button labelled `label` on the latest bot message in `chatId` that has it. */
    async pressAs(userId: number, chatId: number, label: string) {
      const message = [...fake.botMessages(chatId)].reverse().find((m) => buttonsOf(m).some((b) => b.text === label));
      if (!message) throw new Error(`no button "${label}" in chat ${chatId}`);
      const button = buttonsOf(message).find((b) => b.text === label) as { callback_data: string };
      await handle(fake.pressButton(userId, message.message_id, button.callback_data, chatId));
    },
    /** Someone other than the resident writes to the bot in their private chat. */
    sayAs: (userId: number, text: string, replyTo?: number) =>
      handle(fake.sendText(userId, text, replyTo === undefined ? {} : { replyTo })),
    /** Sends everything queued and due (alerts, notices), as the outbox sender would. */
    async deliverQueued() {
      for (let round = 0; round < 10; round++) {
        const due = await core.outbox.due(1000);
        if (due.length === 0) return;
        for (const row of due) await side.sender.deliverNow([row.id]);
      }
    },
    /** The answers to button presses (toasts and pop-ups), newest last. */
    callbackAnswers: () =>
      fake.calls
        .filter((c) => c.method === "answerCallbackQuery")
        .map((c) => c.params as { text?: string; show_alert?: boolean }),
    /** Texts the bot sent to the resident since the last call. */
    lastTexts: (count = 1) =>
      fake
        .botMessages(RESIDENT)
        .slice(-count)
        .map((m) => m.text ?? ""),
    last: () => fake.botMessages(RESIDENT).at(-1),
    render: (key: string, locale: "km" | "en" = "km") => core.content.translator.render(locale, { key }),
    /** A text with parameters, as the bot renders it. */
    renderRef: (ref: TextRef, locale: "km" | "en" = "km") => core.content.translator.render(locale, ref),
    /** The first reply to a danger message of these kinds (the lead that names the fitting numbers). */
    dangerLead: (kinds: DangerKind[], locale: "km" | "en" = "km") =>
      core.content.translator.render(locale, dangerLead(kinds, core.content.directory).text[0] as TextRef),
    /** The one-line safety net (117 / 119). */
    safetyNet: (locale: "km" | "en" = "km") =>
      core.content.translator.render(locale, safetyNetLine(core.content.directory)),
    async close() {
      await core.close();
      await postgres?.drop();
    },
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The resident asks for a caseworker about `category`, to be contacted in this chat or, given `phone`, by phone. */
export async function referToCaseworker(h: Harness, category = "help.category_legal", phone?: string) {
  const t = (key: string) => h.render(key);
  await h.say("/start");
  await h.press(t("main.choice_help"));
  await h.press(t(category));
  await h.press(t("help.district_chbar_ampov"));
  await h.press(t("help.want_caseworker"));
  await h.press(t("help.consent_yes"));
  if (phone) {
    await h.press(t("help.contact_call"));
    await h.say(phone);
  } else {
    await h.press(t("help.contact_telegram"));
  }
  await h.press(t("help.time_afternoon"));
  await h.press(t("help.confirm_send"));
  await h.deliverQueued();
}

/** After a referral: CASEWORKER claims it and starts talking with the resident through the bot. */
export async function startTalking(h: Harness) {
  await referToCaseworker(h);
  await h.pressAs(CASEWORKER, STAFF_CHAT, h.render("casework.button_claim"));
  await h.deliverQueued();
  await h.pressAs(CASEWORKER, CASEWORKER, h.render("casework.button_talk"));
  await h.deliverQueued();
}

export function buttonsOf(message: { reply_markup?: unknown } | undefined): { text: string; callback_data: string }[] {
  const rows =
    (message?.reply_markup as { inline_keyboard?: { text: string; callback_data: string }[][] } | undefined)
      ?.inline_keyboard ?? [];
  return rows.flat();
}

function lastButtons(fake: FakeTelegram) {
  return buttonsOf(fake.botMessages(RESIDENT).at(-1)).map((b) => b.text);
}
