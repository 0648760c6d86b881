/**
 * End to end, a flood: one resident sends 100 messages a second for 60 s while five others use the bot normally,
 * with Telegram's sending limits on. The others' replies stay quick, and the service's memory stays flat.
 */
import { readFileSync } from "node:fs";
import { setTimeout as wait } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { useEndToEnd } from "../helpers/e2e.ts";
import { PROD_NODE_FLAGS } from "../helpers/service-process.ts";

const e2e = useEndToEnd({ limits: { perSecond: 30, chatIntervalMs: 1000 } });
const FLOODER = 20;
const FLOOD_MS = 60_000;
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

describe("a flooding resident", () => {
  it("100 messages a second for 60 s: everyone else answered with p95 under 2 s, memory flat", async () => {
    // The search index is built after the service starts (a few seconds); its memory is not the flood's.
    // With the V8 flags a server runs it with (`npm run start:prod`).
    const service = await e2e.startExpecting(/search index ready/, {}, [
      ...PROD_NODE_FLAGS,
      "--import",
      "tsx",
      "src/main.ts",
    ]);
    for (let chat = 1; chat <= 5; chat++) e2e.fake.sendText(chat, "/start");
    for (let chat = 1; chat <= 5; chat++) await e2e.waitForText(chat, "តើអ្នកត្រូវការអ្វី?");
    const rssBefore = rssMb(service.child.pid as number);

    let flooding = true;
    const flood = (async () => {
      while (flooding) {
        for (let i = 0; i < 10; i++) e2e.fake.sendText(FLOODER, `spam ${Date.now()} ${i}`);
        await wait(100);
      }
    })();
    const latencies: number[] = [];
    const rss: number[] = []; // every 10 s
    const started = Date.now();
    while (Date.now() - started < FLOOD_MS) {
      if (Date.now() - started >= (rss.length + 1) * 10_000) rss.push(rssMb(service.child.pid as number));
      await Promise.all(
        [1, 2, 3, 4, 5].map(async (chat) => {
          const before = e2e.fake.botMessages(chat).length;
          const sentAt = Date.now();
          e2e.fake.sendText(chat, "/help");
          await e2e.fake.waitFor(() => e2e.fake.botMessages(chat).length > before, 15_000);
          latencies.push(Date.now() - sentAt);
        }),
      );
      await wait(1000);
    }
    flooding = false;
    await flood;
    rss.push(rssMb(service.child.pid as number));

    latencies.sort((a, b) => a - b);
    const p95 = latencies[Math.floor(latencies.length * 0.95)] as number;
    console.log(
      `others' replies over ${latencies.length}: p50 ${latencies[latencies.length >> 1]} ms, p95 ${p95} ms; ` +
        `RSS ${rssBefore.toFixed(0)} MB, then every 10 s ${rss.map((r) => r.toFixed(0)).join(", ")} MB; ` +
        `flooder answered ${e2e.fake.botMessages(FLOODER).length} times; Telegram's 429s ` +
        `${e2e.fake.limitStats.tooManyRequests}, per-chat gaps under 1 s ${e2e.fake.limitStats.perChatViolations}`,
    );
    expect(p95).toBeLessThan(2000);
    // Replies keep Telegram's limits too: the flooder gets about one a second after its burst (it got 1,018 in 60 s
    // when replies skipped the limits, and those pushed the bot past 30 a second: 41 answers of 429, each pausing
    // every chat). The sender stays under 30 a second by its own clock; network jitter might put one message over in
    // the fake's window, hence not 0.
    expect(e2e.fake.botMessages(FLOODER).length).toBeLessThan(120);
    expect(e2e.fake.limitStats.tooManyRequests).toBeLessThanOrEqual(2);
    // Run as on a server (start:prod's flags cap the old generation at 256 MB), the heap is collected as it grows,
    // so RSS stays about level (runs gave 177-183 MB from a 206 MB start). Without the cap V8 may wait longer before a
    // full collection (peaks up to 459 MB, collected only after the flood), which said nothing about a leak. Flat
    // means the troughs, what stays alive, do not climb: the second half's lowest sample is within 40 MB of the first
    // half's (a leak would grow with the 6,000 messages, and past the cap the service would stop), or, when no full
    // collection fell inside the 60 s, a sample within 30 s after the flood; and no sample is 100 MB over the start.
    const half = Math.floor(rss.length / 2);
    const trough = Math.min(...rss.slice(0, half)) + 40;
    const settled = [...rss.slice(half)];
    for (let s = 0; s < 30 && Math.min(...settled) >= trough; s++) {
      await wait(1000);
      settled.push(rssMb(service.child.pid as number));
    }
    expect(Math.min(...settled)).toBeLessThan(trough);
    expect(Math.max(...rss) - rssBefore).toBeLessThan(100);
  }, 180_000);
});
