/**
 * End to end, faults: a Telegram that accepts connections and answers nothing (a black hole) for 30 s, a
 * SIGTERM while it is silent, and an inbox row altered on disk. The real service runs as a child process
 * against the fake Bot API on 127.0.0.1.
 */
import { join } from "node:path";
import { setTimeout as wait } from "node:timers/promises";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { createFieldCipher } from "../../src/security/field-cipher.ts";
import { E2E_KEY, E2E_STAFF, useEndToEnd } from "../helpers/e2e.ts";

const MENU = "តើអ្នកត្រូវការអ្វី? សូមចុចប៊ូតុងមួយ។";
const e2e = useEndToEnd();

describe("a silent Telegram", () => {
  it("30 s of silence: everyone who wrote meanwhile is answered within seconds of its return", async () => {
    await e2e.start();
    e2e.fake.sendText(1, "/start");
    await e2e.waitForText(1, MENU);
    e2e.fake.blackHoleFor(30_000);
    for (let chat = 2; chat <= 6; chat++) e2e.fake.sendText(chat, "/start");
    await wait(30_000); // the outage itself
    const back = Date.now();
    for (let chat = 2; chat <= 6; chat++) await e2e.waitForText(chat, MENU, 1, 30_000);
    const recoveredInMs = Date.now() - back;
    console.log(`answered ${recoveredInMs} ms after Telegram came back`);
    expect(recoveredInMs).toBeLessThan(15_000); // 4 s on this machine; the bound is 30 s
  }, 90_000);

  it("SIGTERM while Telegram is silent: exit within grace + 2 s, and after a restart nothing is lost", async () => {
    const first = await e2e.start({ SHUTDOWN_GRACE_SECONDS: "3" });
    e2e.fake.sendText(7, "/start");
    await e2e.waitForText(7, MENU);
    e2e.fake.blackHoleFor(120_000);
    e2e.fake.sendText(8, "/start");
    await wait(1000); // a long poll and a send are now hanging on the silent Bot API
    const stoppedAt = Date.now();
    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5_000);
    e2e.fake.blackHoleFor(0);
    await e2e.start();
    await e2e.waitForText(8, MENU, 1, 30_000);
  }, 60_000);
});

describe("a damaged row", () => {
  it("an altered inbox row is set aside at once and everyone else is answered", async () => {
    const first = await e2e.start();
    e2e.fake.sendText(1, "/start");
    await e2e.waitForText(1, MENU);
    expect(await first.stop("SIGTERM")).toBe(0);
    // One update waiting in the inbox whose encrypted payload had a character changed on disk.
    const cipher = createFieldCipher(Buffer.from(E2E_KEY, "base64"));
    const sealed = cipher.encrypt(JSON.stringify({ update_id: 900_000, message: { chat: { id: 9 }, text: "hi" } }));
    const altered = `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`;
    const db = new Database(join(e2e.dir, "spean.db"));
    db.prepare(
      "insert into inbox (update_id, lane, payload_enc, status, attempts, next_attempt_at, received_at) " +
        "values (900000, 'chat:9', ?, 'pending', 0, 0, 0)",
    ).run(altered);
    db.close();
    // Measured once the search index is built: building it holds the process for a second or two after any start.
    await e2e.startExpecting(/search index ready/);
    const startedAt = Date.now();
    e2e.fake.sendText(2, "/start");
    await e2e.waitForText(2, MENU);
    expect(Date.now() - startedAt).toBeLessThan(5_000);
    await e2e.fake.waitFor(() => e2e.texts(E2E_STAFF).some((t) => t.includes("SPEAN_CRYPTO_FAILED")), 15_000);
  });
});
