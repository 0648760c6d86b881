/**
 * `npm run bench`: measures, in one run on this machine,
 *   (a) bare Fastify hello-world requests/s (the reference),
 *   (b) webhook ingest requests/s (secret check + encrypted inbox insert), as a ratio of (a),
 *   (c) end-to-end updates/s (webhook → inbox → worker → flow step → sendMessage to the fake Bot API over HTTP),
 *       and p50/p99 latency at a fixed offered load of 500 updates/s.
 * With SPEAN_BENCH_POSTGRES_URL (a PostgreSQL superuser URL), (b) and (c) are measured again with the service on
 * PostgreSQL, each on an empty database made for it and dropped afterwards, and (c) with two and three instances
 * of the service on one database, the updates spread over them in turn (as a proxy in front of them would).
 * The server under test runs in a child process (bench/service-under-test.ts); this process plays Telegram: it
 * sends the webhook requests and hosts the fake Bot API that receives the replies, as Telegram's own machines
 * would. Everything is on 127.0.0.1; every loop is bounded in count and time.
 */
import { type ChildProcess, fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { FakeTelegram } from "../src/sandbox/fake-telegram.ts";
import { startFakeTelegramServer } from "../src/sandbox/routes.ts";
import { BENCH_SECRET, BENCH_TOKEN, WEBHOOK_PATH } from "./shared.ts";

const CONNECTIONS = 32;
const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
const secretHeader = { "x-telegram-bot-api-secret-token": BENCH_SECRET };

function post(port: number, path: string, body: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: body ? "POST" : "GET",
        agent,
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
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
  JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      date: 0,
      chat: { id: chat, type: "private" },
      from: { id: chat, is_bot: false, first_name: "B" },
      text,
    },
  });

/** Starts the process under test and resolves with its port and a function that stops it. */
async function startUnderTest(
  ...args: string[]
): Promise<{ port: number; idle: () => Promise<void>; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL("./service-under-test.ts", import.meta.url)), args, {
    // SPEAN_BENCH_NODE_FLAGS: V8 flags for the service under test (e.g. the ones npm run start:prod uses).
    execArgv: ["--import", "tsx", ...(process.env.SPEAN_BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean)],
    stdio: "inherit",
    env: { ...process.env, ...(onDatabase ? { SPEAN_BENCH_DATABASE_URL: onDatabase } : {}) },
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", (code) => reject(new Error(`service under test exited with ${code}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.send("stop");
    });
  const idle = () =>
    new Promise<void>((resolve) => {
      child.once("message", () => resolve());
      child.send("idle");
    });
  return { port, idle, stop };
}

/** The PostgreSQL database the next service under test runs on (undefined: SQLite). */
let onDatabase: string | undefined;

/** Runs `measure` with the service on an empty PostgreSQL database made on `adminUrl`'s server, dropped after. */
async function onPostgres<T>(adminUrl: string, measure: () => Promise<T>): Promise<T> {
  const name = `spean_bench_${randomBytes(6).toString("hex")}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  onDatabase = url.toString();
  try {
    return await measure();
  } finally {
    onDatabase = undefined;
    await admin(`drop database if exists ${name} with (force)`);
  }
}

/** Waits until `condition` holds, checking every 5 ms, for at most `timeoutMs`. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition() && performance.now() < deadline) await new Promise((r) => setTimeout(r, 5));
}

async function bareFastify(total: number): Promise<number> {
  const { port, stop } = await startUnderTest("bare");
  await load(2000, () => post(port, "/", "")); // warm-up
  const rate = await load(total, () => post(port, "/", ""));
  await stop();
  return rate;
}

async function ingest(total: number): Promise<number> {
  const fake = new FakeTelegram({ token: BENCH_TOKEN });
  const fakeServer = await startFakeTelegramServer(fake);
  const { port, stop } = await startUnderTest("service", fakeServer.url, "no-worker");
  await load(2000, (i) => post(port, WEBHOOK_PATH, update(10_000_000 + i, 1, "/menu"), secretHeader));
  const rate = await load(total, (i) => post(port, WEBHOOK_PATH, update(i + 1, 1 + (i % 1000), "/menu"), secretHeader));
  await stop();
  await fakeServer.close();
  return rate;
}

/**
 * End to end; with `offeredPerSecond`, paces the requests and reports latency percentiles. With `instances` (default
 * 1) that many services run on one database (PostgreSQL), and update i goes to instance i mod instances.
 */
async function endToEnd(total: number, chats: number, offeredPerSecond?: number, instances = 1) {
  const fake = new FakeTelegram({ token: BENCH_TOKEN });
  const fakeServer = await startFakeTelegramServer(fake);
  for (let chat = 1; chat <= chats; chat++) fake.addUser({ id: chat, first_name: `B${chat}` });
  let replies = 0;
  const postedAt = new Map<number, number[]>();
  const latencies: number[] = [];
  const originalCall = fake.call.bind(fake);
  fake.call = async (token, method, params) => {
    const result = await originalCall(token, method, params);
    if (method === "sendMessage") {
      const at = postedAt.get(Number(params.chat_id))?.shift();
      if (at !== undefined) latencies.push(performance.now() - at);
      replies++;
    }
    return result;
  };
  const services: Awaited<ReturnType<typeof startUnderTest>>[] = [];
  // One after another: each migrates the database (the first) or finds it migrated.
  for (let n = 0; n < instances; n++) services.push(await startUnderTest("service", fakeServer.url));
  const portOf = (i: number) => (services[i % services.length] as (typeof services)[number]).port;
  const idle = () => Promise.all(services.map((s) => s.idle()));
  let id = 1;
  // Every chat starts once, so that the measured updates are one flow step with one reply each.
  for (let chat = 1; chat <= chats; chat++)
    await post(portOf(chat), WEBHOOK_PATH, update(id++, chat, "/start"), secretHeader);
  // Every /start handled and its replies sent (direct replies are sent before the update counts as handled).
  await idle();
  replies = 0;
  latencies.length = 0;

  const started = performance.now();
  const send = (i: number) => {
    const chat = 1 + (i % chats);
    const queue = postedAt.get(chat) ?? [];
    queue.push(performance.now());
    postedAt.set(chat, queue);
    return post(portOf(i), WEBHOOK_PATH, update(id++, chat, "/menu"), secretHeader);
  };
  if (offeredPerSecond) {
    const pending: Promise<number>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = started + (i * 1000) / offeredPerSecond - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(send(i));
    }
    await Promise.all(pending);
  } else {
    await load(total, send);
  }
  await until(() => replies >= total, 60_000);
  const seconds = (performance.now() - started) / 1000;
  for (const service of services) await service.stop();
  await fakeServer.close();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return { perSecond: replies / seconds, replies, p50: pct(50), p99: pct(99) };
}

const round = (n: number) => Math.round(n);
const bare = await bareFastify(30_000);
const ingestRate = await ingest(30_000);
const e2e = await endToEnd(10_000, 200);
const paced = await endToEnd(5000, 200, 500);
// Twice Telegram's sending ceiling: a load both databases carry, so their latencies compare like with like.
const TWICE_TELEGRAM = 60;
const pacedLow = await endToEnd(1200, 200, TWICE_TELEGRAM);

console.log(
  `node ${process.version}, ${cpus().length} cores, ${CONNECTIONS} connections; server under test in its own process`,
);
console.log(`(a) bare Fastify hello world:          ${round(bare)} req/s`);
console.log(
  `(b) webhook ingest (secret + inbox):   ${round(ingestRate)} req/s = ` +
    `${((ingestRate / bare) * 100).toFixed(1)}% of bare Fastify (target >= 40%)`,
);
console.log(
  `(c) end to end, as fast as possible:   ${round(e2e.perSecond)} updates/s ` +
    `(${e2e.replies} replies; target >= 1500) = ${(e2e.perSecond / 30).toFixed(0)}x Telegram's ~30 msg/s`,
);
console.log(
  `    end to end at 500 updates/s:       p50 ${paced.p50.toFixed(1)} ms, p99 ${paced.p99.toFixed(1)} ms ` +
    `(target p99 < 50 ms; ${paced.replies} replies)`,
);
console.log(
  `    end to end at ${TWICE_TELEGRAM} updates/s:        p50 ${pacedLow.p50.toFixed(1)} ms, ` +
    `p99 ${pacedLow.p99.toFixed(1)} ms (${pacedLow.replies} replies)`,
);

const postgresUrl = process.env.SPEAN_BENCH_POSTGRES_URL;
if (postgresUrl) {
  const pgIngest = await onPostgres(postgresUrl, () => ingest(30_000));
  const pgE2e = await onPostgres(postgresUrl, () => endToEnd(10_000, 200));
  const pgPaced = await onPostgres(postgresUrl, () => endToEnd(5000, 200, 500));
  const pgPacedLow = await onPostgres(postgresUrl, () => endToEnd(1200, 200, TWICE_TELEGRAM));
  const several = [];
  for (const instances of [2, 3]) {
    const fast = await onPostgres(postgresUrl, () => endToEnd(10_000, 200, undefined, instances));
    const low = await onPostgres(postgresUrl, () => endToEnd(1200, 200, TWICE_TELEGRAM, instances));
    several.push({ instances, fast, low });
  }
  console.log("the same on PostgreSQL (one instance; SPEAN_BENCH_POSTGRES_URL's server):");
  console.log(
    `(b) webhook ingest on PostgreSQL:      ${round(pgIngest)} req/s = ${((pgIngest / bare) * 100).toFixed(1)}% of (a)`,
  );
  console.log(
    `(c) end to end on PostgreSQL:          ${round(pgE2e.perSecond)} updates/s = ` +
      `${((pgE2e.perSecond / bare) * 100).toFixed(1)}% of (a), ` +
      `${(pgE2e.perSecond / 30).toFixed(0)}x Telegram's ~30 msg/s`,
  );
  console.log(
    `    on PostgreSQL at 500 updates/s:    p50 ${pgPaced.p50.toFixed(1)} ms, p99 ${pgPaced.p99.toFixed(1)} ms ` +
      `(${pgPaced.replies} replies)`,
  );
  console.log(
    `    on PostgreSQL at ${TWICE_TELEGRAM} updates/s:     p50 ${pgPacedLow.p50.toFixed(1)} ms, ` +
      `p99 ${pgPacedLow.p99.toFixed(1)} ms (${pgPacedLow.replies} replies)`,
  );
  for (const { instances, fast, low } of several) {
    console.log(
      `(c) ${instances} instances on PostgreSQL:     ${round(fast.perSecond)} updates/s = ` +
        `${((fast.perSecond / bare) * 100).toFixed(1)}% of (a), ${(fast.perSecond / 30).toFixed(0)}x Telegram's ` +
        `~30 msg/s; at ${TWICE_TELEGRAM} updates/s p50 ${low.p50.toFixed(1)} ms, p99 ${low.p99.toFixed(1)} ms ` +
        `(${low.replies} replies)`,
    );
  }
}
agent.destroy();
