/**
 * `npm run bench:reminders`: counselling reminders at programme scale, in one run on this machine.
 *   (a) the due-reminder query with 100,000 booked appointments (200,000 reminder rows queued, 2,000 of them due):
 *       the sender's batch query (500 rows, payloads decrypted) and its "when is the next one due" query; and
 *       the staff chat's /sessions counts over all of them;
 *   (b) the outbox sender against the fake Bot API over HTTP, with Telegram's limits enforced by the fake
 *       (30 messages per second overall, 1 second between two messages to one chat): 600 reminders to 200 chats at
 *       the default configured rate of 25 per second. Reported: achieved rate as a share of the configured rate and
 *       of Telegram's ~30/s ceiling, per-chat violations, 429 answers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api } from "grammy";
import { loadConfig } from "../src/config.ts";
import { openDatabase } from "../src/db/open.ts";
import { createLogger } from "../src/logger.ts";
import { createOutboxSender } from "../src/outbox/sender.ts";
import { createOutboxStore } from "../src/outbox/store.ts";
import { FakeTelegram } from "../src/sandbox/fake-telegram.ts";
import { startFakeTelegramServer } from "../src/sandbox/routes.ts";
import { createCore } from "../src/service/core.ts";
import { createFieldCipher } from "../src/security/field-cipher.ts";
import { createTransport } from "../src/telegram/transport.ts";
import { time } from "./timing.ts";

const APPOINTMENTS = 100_000;
const COUNSELLORS = 500;
const DUE_NOW = 2_000;
const HOUR = 3_600_000;

async function dueQuery(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "spean-bench-reminders-"));
  try {
    const core = await createCore(
      loadConfig({ DATABASE_PATH: join(dir, "bench.db"), LOG_LEVEL: "silent" }),
      createLogger("silent"),
    );
    const now = Date.now();
    const built = performance.now();
    await core.commits.run(async () => {
      for (let i = 0; i < APPOINTMENTS; i++) {
        const counsellorId = 1 + (i % COUNSELLORS);
        const startsAt = now + 3 * HOUR + Math.floor(i / COUNSELLORS) * HOUR;
        const a = await core.booking.store.insert({
          chatId: 1_000_000 + i,
          counsellorId,
          topic: "health",
          site: "prek_pnov",
          startsAt,
          endsAt: startsAt + HOUR,
          forWhom: "self",
          locale: "km",
        });
        for (const rung of [1440, 120]) {
          const notBefore = i * 2 < DUE_NOW ? now - 1000 : startsAt - rung * 60_000 + 24 * HOUR;
          await core.outbox.enqueue({
            dedupeKey: `reminder:${a.id}:${rung}`,
            chatId: a.chatId,
            purpose: "reminder",
            subject: { kind: "reminder", id: a.id, rung },
            message: { kind: "text", text: "⏰ reminder" },
            notBefore,
          });
        }
      }
    });
    console.log(
      `built ${APPOINTMENTS.toLocaleString("en")} appointments and ${(APPOINTMENTS * 2).toLocaleString("en")} ` +
        `reminder rows in ${((performance.now() - built) / 1000).toFixed(1)} s`,
    );
    const due = await time(200, () => core.outbox.due(500));
    const next = await time(200, () => core.outbox.nextDueAt());
    console.log(
      `(a) due-reminder batch query (500 of ${DUE_NOW.toLocaleString("en")} due, decrypted): ` +
        `p50 ${due.p50.toFixed(2)} ms, p99 ${due.p99.toFixed(2)} ms (target < 50 ms)`,
    );
    console.log(`(a) next-due query: p50 ${next.p50.toFixed(3)} ms, p99 ${next.p99.toFixed(3)} ms`);
    // The staff chat's /sessions counts, over a month that holds every appointment (the worst case).
    const month = 30 * 24 * HOUR;
    const report = await time(20, () => core.booking.store.sessionCounts(now - month, now + month, now));
    console.log(
      `(a) /sessions counts over all ${APPOINTMENTS.toLocaleString("en")} appointments: ` +
        `p50 ${report.p50.toFixed(1)} ms, p99 ${report.p99.toFixed(1)} ms`,
    );
    await core.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function senderRate(): Promise<void> {
  const TOKEN = "1234567890:bench-token-for-the-fake-bot-api-only";
  const CHATS = 200;
  const PER_CHAT = 3;
  const RATE = 25;
  const fake = new FakeTelegram({ token: TOKEN, limits: { perSecond: 30, chatIntervalMs: 1000 } });
  for (let i = 0; i < CHATS; i++) fake.addUser({ id: 20_000 + i, first_name: `F${i}` });
  const server = await startFakeTelegramServer(fake);
  const store = createOutboxStore(openDatabase(":memory:"), createFieldCipher(Buffer.alloc(32, 5)));
  for (let round = 0; round < PER_CHAT; round++)
    for (let i = 0; i < CHATS; i++)
      await store.enqueue({
        dedupeKey: `reminder:${round}:${i}`,
        chatId: 20_000 + i,
        purpose: "reminder",
        message: { kind: "text", text: "⏰ reminder" },
      });
  const api = new Api(TOKEN, { apiRoot: server.url });
  const transport = createTransport(api);
  const sender = createOutboxSender({
    store,
    transport,
    directTransport: transport,
    logger: createLogger("silent"),
    ratePerSecond: RATE,
    chatIntervalMs: 1000,
  });
  const total = CHATS * PER_CHAT;
  const started = performance.now();
  await sender.start();
  await fake.waitFor(
    () => fake.calls.filter((c) => c.method === "sendMessage").length - fake.limitStats.tooManyRequests >= total,
    120_000,
  );
  const seconds = (performance.now() - started) / 1000;
  await sender.stop();
  await server.close();
  const achieved = total / seconds;
  console.log(
    `(b) sender: ${total} reminders to ${CHATS} chats in ${seconds.toFixed(1)} s = ${achieved.toFixed(2)}/s = ` +
      `${((achieved / RATE) * 100).toFixed(1)} % of the configured ${RATE}/s ` +
      `(${((achieved / 30) * 100).toFixed(1)} % of Telegram's ~30/s); ` +
      `per-chat violations ${fake.limitStats.perChatViolations}; 429 answers ${fake.limitStats.tooManyRequests}`,
  );
}

await dueQuery();
await senderRate();
