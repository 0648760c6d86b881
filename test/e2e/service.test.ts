/**
 * End to end: the real service as a child process against the fake Bot API on 127.0.0.1.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { buttonsOf } from "../helpers/harness.ts";
import { E2E_STAFF, useEndToEnd } from "../helpers/e2e.ts";
import { freePort } from "../helpers/free-port.ts";
import { startService } from "../helpers/service-process.ts";

const WELCOME = "សួស្តី! ខ្ញុំឈ្មោះ ស្ពាន។";
const MENU = "តើអ្នកត្រូវការអ្វី? សូមចុចប៊ូតុងមួយ។";
const STAFF = E2E_STAFF;

const e2e = useEndToEnd();
const { start, texts, waitForText } = e2e;

function pressLatest(chat: number, label: string) {
  const message = [...e2e.fake.botMessages(chat)].reverse().find((m) => buttonsOf(m).some((b) => b.text === label));
  const button = buttonsOf(message).find((b) => b.text === label);
  if (!message || !button) throw new Error(`no button ${label}`);
  return e2e.fake.pressButton(chat, message.message_id, button.callback_data);
}

describe("the service, end to end (polling)", () => {
  it("answers /start and a button press, and registers its commands in km and en", async () => {
    await start();
    e2e.fake.sendText(1, "/start");
    await waitForText(1, MENU);
    expect(texts(1)[0]).toContain(WELCOME);
    pressLatest(1, "🆘 លេខសង្គ្រោះបន្ទាន់");
    await waitForText(1, "🆘 លេខសង្គ្រោះបន្ទាន់");
    expect(texts(1).at(-1)).toContain("117");
    expect(Object.keys(e2e.fake.commands).sort()).toEqual(["", "en", "km"]);
    expect(e2e.fake.calls.filter((c) => c.method === "answerCallbackQuery")).toHaveLength(1);
  });

  it("continues a conversation where it was after a restart", async () => {
    const first = await start();
    e2e.fake.sendText(2, "/start");
    await waitForText(2, MENU);
    pressLatest(2, "🌐 ភាសា / Language");
    await waitForText(2, "សូមជ្រើសរើសភាសា");
    expect(await first.stop("SIGTERM")).toBe(0);
    const second = await start();
    pressLatest(2, "English"); // a button from before the restart is still the current one
    await waitForText(2, "What do you need?");
    // The question model computed once for this source (by a first start, or the test run's warm-up) is loaded.
    await second.waitForOutput(/"questionModel":"kept"/);
    // Two starts: about 10 s alone; over 30 s once on a loaded 2-core machine while the cache was still cold.
  }, 60_000);

  it("a kill -9 while updates arrive loses none and handles none twice", async () => {
    const first = await start();
    const sent: number[] = [];
    for (let round = 0; round < 3; round++)
      for (let chat = 1; chat <= 20; chat++) sent.push(e2e.fake.sendText(chat, `/menu`).update_id as number);
    await e2e.fake.waitFor(() => e2e.fake.botMessages(5).length >= 1, 15_000);
    first.child.kill("SIGKILL");
    await first.exited;
    for (let chat = 1; chat <= 20; chat++) sent.push(e2e.fake.sendText(chat, "/help").update_id as number);
    await start();
    for (let chat = 1; chat <= 20; chat++) await waitForText(chat, "ℹ️", 1);
    await e2e.fake.waitFor(
      () => [...Array(20).keys()].every((i) => texts(i + 1).filter((t) => t.startsWith(MENU)).length >= 3),
      15_000,
    );

    const db = new Database(join(e2e.dir, "spean.db"), { readonly: true });
    const handled = db
      .prepare("select update_id, count(*) as n from interactions where direction = 'in' group by update_id")
      .all() as { update_id: number; n: number }[];
    const inbox = db.prepare("select status, count(*) as n from inbox group by status").all();
    db.close();
    expect(handled.map((r) => r.update_id).sort()).toEqual([...sent].sort());
    expect(handled.every((r) => r.n === 1)).toBe(true);
    expect(inbox).toEqual([{ status: "done", n: sent.length }]);
    // Replies: every update answered; a duplicate is possible only for a message Telegram accepted just before the
    // kill (the documented crash window), so at most one per chat.
    for (let chat = 1; chat <= 20; chat++) {
      const menus = texts(chat).filter((t) => t.startsWith(MENU)).length;
      expect(menus).toBeGreaterThanOrEqual(3);
      expect(menus).toBeLessThanOrEqual(4);
    }
    // Two starts of the service and 80 replies under Telegram's limits: about 20 s alone, and it went past the
    // default 30 s once on a loaded CI machine.
  }, 60_000);

  it("quarantines a poison update after 3 tries: the user gets an apology, staff told, the chat goes on", async () => {
    await start();
    e2e.fake.sendText(3, "/start");
    await waitForText(3, MENU);
    // A button press without a sender cannot be handled: it fails every time.
    e2e.fake.injectUpdate({
      callback_query: {
        id: "poison",
        chat_instance: "x",
        data: "m",
        message: { message_id: 1, date: 0, chat: { id: 3, type: "private" } },
      },
    });
    e2e.fake.sendText(3, "/help");
    await waitForText(3, "សូមទោស មានបញ្ហាបច្ចេកទេស");
    await waitForText(3, "ℹ️");
    await e2e.fake.waitFor(() => e2e.fake.botMessages(STAFF).some((m) => m.text?.includes("quarantined")), 15_000);
    const alert = e2e.fake.botMessages(STAFF).at(-1)?.text ?? "";
    expect(alert).not.toContain("/help");
  });
});

describe("the service, end to end (webhook)", () => {
  it("sets the webhook with its secret and answers updates delivered to it", async () => {
    const port = await freePort();
    await start({
      PORT: String(port),
      WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/webhook`,
      WEBHOOK_SECRET: "e2e_secret",
    });
    expect(e2e.fake.webhookInfo()).toEqual({ url: `http://127.0.0.1:${port}/telegram/webhook`, secret: "e2e_secret" });
    e2e.fake.sendText(4, "/start");
    await waitForText(4, MENU);
    const wrong = await fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(wrong.status).toBe(401);
  });
});

describe("start-up", () => {
  it("bad configuration: one message listing every problem, exit 1, no stack trace", async () => {
    const service = await startService({ BOT_TOKEN: "nope", PORT: "99999", DEFAULT_LOCALE: "fr" }, /cannot start/);
    expect(await service.exited).toBe(1);
    const output = service.output();
    expect(output).toMatch(/BOT_TOKEN/);
    expect(output).toMatch(/PORT/);
    expect(output).toMatch(/DEFAULT_LOCALE/);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it("another ENCRYPTION_KEY than the database was written with: one clear message, exit 1, no change", async () => {
    const first = await start();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    const other = "Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWo=";
    const second = await e2e.startExpecting(/cannot start/, { ENCRYPTION_KEY: other });
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/SPEAN_KEY_MISMATCH: ENCRYPTION_KEY is not the key this database was written with/);
    expect(second.output()).not.toMatch(/\n\s+at /);
    const again = await start();
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
    // Three starts: 10 s alone, and over the default 30 s once beside the browser tests on a 2-core CI machine.
  }, 60_000);

  it("a second service on the same database refuses to start, and the first goes on", async () => {
    const first = await start();
    const second = await e2e.startExpecting(/cannot start/);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(/SPEAN_DATABASE_IN_USE: another Spean process \(pid \d+\) is using/);
    e2e.fake.sendText(1, "/start");
    await waitForText(1, MENU);
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });

  it("shuts down cleanly on SIGTERM, and a second signal does no harm", async () => {
    const service = await start();
    service.child.kill("SIGTERM");
    service.child.kill("SIGTERM");
    expect(await service.exited).toBe(0);
    expect(service.output()).toMatch(/spean stopped/);
  });
});
