/**
 * The process the benchmark measures (started by bench/run.ts, never on its own). It runs one of:
 *   bare     a Fastify hello-world server (the reference),
 *   service  Spean's webhook app, inbox worker and outbox sender, talking to the fake Bot API at argv[3]
 *            (with argv[4] = "no-worker": the webhook app alone, for the ingest measure); on the SQLite file in a
 *            temporary folder, or on the PostgreSQL database SPEAN_BENCH_DATABASE_URL when set (as one of several
 *            instances there, with the lanes' leases and the shared pace, as the service runs on PostgreSQL).
 * It reports its port to the parent over IPC, answers "idle" once every update it has is handled, and exits when
 * the parent says "stop".
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify from "fastify";
import { buildApp } from "../src/http/app.ts";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { FakeTelegram } from "../src/sandbox/fake-telegram.ts";
import { createCluster } from "../src/cluster/cluster.ts";
import { createCore } from "../src/service/core.ts";
import { createTelegramSide } from "../src/service/telegram-side.ts";
import { BENCH_SECRET, BENCH_TOKEN, WEBHOOK_PATH } from "./shared.ts";

const [mode, apiRoot, worker] = process.argv.slice(2);
const send = (message: object) => process.send?.(message);

if (mode === "bare") {
  const app = Fastify({ logger: false });
  app.get("/", async () => ({ hello: "world" }));
  await app.listen({ host: "127.0.0.1", port: 0 });
  send({ port: (app.server.address() as { port: number }).port });
  process.on("message", async () => {
    await app.close();
    process.exit(0);
  });
} else if (mode === "service" && apiRoot) {
  const dir = mkdtempSync(join(tmpdir(), "spean-bench-"));
  // The ingest measure stores 32,000 updates with no worker: the inbox bounds are raised so that the flood
  // admission's checks are measured but never refuse (at the defaults the webhook would answer 503 after 10,000).
  // The sending limits are lifted as in the bot tests: this measures what the service can handle, and Telegram's
  // own limit (about 30 messages a second) is measured by bench:reminders. At the defaults, every reply after the
  // first few waits for the rate-limited queue, and (c) would measure the limit, not the service.
  const config = {
    ...loadConfig({
      DATABASE_PATH: join(dir, "bench.db"),
      ...(process.env.SPEAN_BENCH_DATABASE_URL ? { DATABASE_URL: process.env.SPEAN_BENCH_DATABASE_URL } : {}),
      WORKER_CONCURRENCY: "16",
      INBOX_LIMIT: "1000000",
      INBOX_CHAT_LIMIT: "1000",
    }),
    outboxRatePerSecond: 1_000_000,
    outboxChatIntervalMs: 0,
  };
  const logger = createLogger("silent");
  const core = await createCore(config, logger);
  const cluster =
    core.database.kind === "postgres" && config.databaseUrl
      ? createCluster({
          db: core.database.db,
          url: config.databaseUrl,
          bot: BENCH_TOKEN.split(":")[0] ?? BENCH_TOKEN,
          leaseMs: config.cluster.leaseMs,
          ratePerSecond: config.outboxRatePerSecond,
          chatIntervalMs: config.outboxChatIntervalMs,
          logger,
        })
      : undefined;
  cluster?.start();
  const side = createTelegramSide(core, {
    token: BENCH_TOKEN,
    apiRoot,
    botInfo: new FakeTelegram({ token: BENCH_TOKEN }).botInfo, // the same identity the driver's fake Bot API has
    ...(cluster ? { cluster } : {}),
  });
  const app = await buildApp({
    logger,
    health: () => ({}),
    webhook: {
      path: WEBHOOK_PATH,
      secret: BENCH_SECRET,
      ingest: (u) => core.commits.run(() => core.admission.admit(u)),
      onIngested: () => side.worker.wake(),
    },
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  // For the ingest measure the worker stays off, so that only the webhook's work is measured.
  if (worker !== "no-worker") {
    await side.sender.start();
    side.worker.start();
  }
  send({ port: (app.server.address() as { port: number }).port });
  process.on("message", async (message) => {
    if (message === "idle") {
      await side.worker.idle();
      send({ idle: true });
      return;
    }
    await side.worker.stop();
    await side.sender.stop();
    await cluster?.stop();
    await app.close();
    await core.close();
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
} else {
  console.error("usage: started by bench/run.ts");
  process.exit(2);
}
