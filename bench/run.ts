/**
 * `npm run bench`: measures, in one run on this machine,
 *   (a) bare Fastify hello-world requests/s (the reference),
 *   (b) webhook ingest requests/s (secret check + encrypted inbox insert), as a ratio of (a),
 *   (c) end-to-end updates/s (webhook → inbox → worker → flow step → sendMessage to the fake Bot API over HTTP),
 *       and p50/p99 latency at a fixed offered load of 500 updates/s.
 * Everything runs on 127.0.0.1; every loop is bounded in count and time.
 */
import { Agent, request } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { FakeTelegram } from "../src/sandbox/fake-telegram.ts";
import { startFakeTelegramServer } from "../src/sandbox/routes.ts";
import { createCore, createTelegramSide } from "../src/service.ts";

const SECRET = "bench_secret";
const TOKEN = "5555555555:bench-token-for-the-fake-bot-api-only";
const CONNECTIONS = 32;
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });

function post(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method: body ? "POST" : "GET", agent, headers: { "content-type": "application/json", ...headers } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(body || undefined);
  });
}

/** Sends `total` requests over CONNECTIONS concurrent keep-alive connections; returns requests per second. */
async function load(total: number, send: (i: number) => Promise<number>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (next < total) {
        const status = await send(next++);
        if (status !== 200) throw new Error(`status ${status}`);
      }
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

const update = (id: number, chat: number, text: string) =>
  JSON.stringify({ update_id: id, message: { message_id: id, date: 0, chat: { id: chat, type: "private" }, from: { id: chat, is_bot: false, first_name: "B" }, text } });

async function bareFastify(total: number): Promise<number> {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as { port: number }).port;
  await load(2000, () => post(port, "/", "")); // warm-up
  const rate = await load(total, () => post(port, "/", ""));
  await app.close();
  return rate;
}

async function setup(dir: string) {
  const fake = new FakeTelegram({ token: TOKEN });
  const fakeServer = await startFakeTelegramServer(fake);
  const config = loadConfig({ DATABASE_PATH: join(dir, "bench.db"), WORKER_CONCURRENCY: "16" });
  const logger = createLogger("silent");
  const core = createCore(config, logger);
  const side = createTelegramSide(core, { token: TOKEN, apiRoot: fakeServer.url, botInfo: fake.botInfo });
  const app = await buildApp({
    logger,
    health: () => ({}),
    webhook: { path: "/telegram/webhook", secret: SECRET, ingest: (u) => core.inbox.ingest(u), onIngested: () => side.worker.wake() },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const port = (app.server.address() as { port: number }).port;
  const close = async () => {
    await side.worker.stop();
    await app.close();
    await fakeServer.close();
    core.db.$client.close();
  };
  return { fake, core, side, port, close };
}

async function ingest(total: number): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "spean-bench-"));
  const { port, close } = await setup(dir);
  const headers = { "x-telegram-bot-api-secret-token": SECRET };
  await load(2000, (i) => post(port, "/telegram/webhook", update(10_000_000 + i, 1, "/menu"), headers));
  const rate = await load(total, (i) => post(port, "/telegram/webhook", update(i + 1, 1 + (i % 1000), "/menu"), headers));
  await close();
  rmSync(dir, { recursive: true, force: true });
  return rate;
}

/** End to end; with `offeredPerSecond`, paces the requests and reports latency percentiles. */
async function endToEnd(total: number, chats: number, offeredPerSecond?: number) {
  const dir = mkdtempSync(join(tmpdir(), "spean-bench-"));
  const { fake, side, port, close } = await setup(dir);
  for (let chat = 1; chat <= chats; chat++) fake.addUser({ id: chat, first_name: `B${chat}` });
  const headers = { "x-telegram-bot-api-secret-token": SECRET };
  side.worker.start();
  let id = 1;
  // Every chat starts once, so that the measured updates are one flow step with one reply each.
  for (let chat = 1; chat <= chats; chat++) await post(port, "/telegram/webhook", update(id++, chat, "/start"), headers);
  await side.worker.idle();

  const postedAt = new Map<number, number[]>();
  const latencies: number[] = [];
  const originalCall = fake.call.bind(fake);
  let replies = 0;
  fake.call = async (token, method, params) => {
    const result = await originalCall(token, method, params);
    if (method === "sendMessage") {
      const queue = postedAt.get(Number(params.chat_id));
      const at = queue?.shift();
      if (at !== undefined) latencies.push(performance.now() - at);
      replies++;
    }
    return result;
  };
  const started = performance.now();
  const send = (i: number) => {
    const chat = 1 + (i % chats);
    const queue = postedAt.get(chat) ?? [];
    queue.push(performance.now());
    postedAt.set(chat, queue);
    return post(port, "/telegram/webhook", update(id++, chat, "/menu"), headers);
  };
  if (offeredPerSecond) {
    const pending: Promise<number>[] = [];
    for (let i = 0; i < total; i++) {
      const due = started + (i * 1000) / offeredPerSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(send(i));
    }
    await Promise.all(pending);
  } else {
    await load(total, send);
  }
  const deadline = performance.now() + 60_000;
  while (replies < total && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  const seconds = (performance.now() - started) / 1000;
  await close();
  rmSync(dir, { recursive: true, force: true });
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return { perSecond: replies / seconds, replies, p50: pct(50), p99: pct(99) };
}

const round = (n: number) => Math.round(n);
const bare = await bareFastify(20_000);
const ingestRate = await ingest(20_000);
const e2e = await endToEnd(6000, 200);
const paced = await endToEnd(5000, 200, 500);

console.log(`node ${process.version}, ${(await import("node:os")).cpus().length} cores, ${CONNECTIONS} connections`);
console.log(`(a) bare Fastify hello world:          ${round(bare)} req/s`);
console.log(`(b) webhook ingest (secret + inbox):   ${round(ingestRate)} req/s = ${((ingestRate / bare) * 100).toFixed(1)}% of bare Fastify (target >= 40%)`);
console.log(`(c) end to end, as fast as possible:   ${round(e2e.perSecond)} updates/s (${e2e.replies} replies; target >= 1500) = ${(e2e.perSecond / 30).toFixed(0)}x Telegram's ~30 msg/s`);
console.log(`    end to end at 500 updates/s:       p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms (target p99 < 50 ms; ${paced.replies} replies)`);
agent.destroy();
