/**
 * The composition root: the only file that reads the environment, listens, polls and schedules (through
 * createService). Bad configuration or content stops start-up with one message and exit code 1.
 */
import { ConfigError, loadConfig } from "./config.ts";
import { SpeanError } from "./errors.ts";
import { createLogger } from "./logger.ts";
import { createService } from "./service.ts";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`Spean cannot start: ${err.message}\nSee .env.example for every variable and its default.\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let service;
  try {
    service = createService(config, logger);
    await service.start();
  } catch (err) {
    const message = err instanceof SpeanError ? `${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`Spean cannot start: ${message}\n`);
    await service?.stop().catch(() => undefined);
    process.exit(1);
  }
  if (config.mode === "sandbox") {
    const url = (service.address ?? "").replace("127.0.0.1", "localhost");
    process.stdout.write(`Spean sandbox is running at ${url} (no BOT_TOKEN set: a built-in fake Telegram stands in)\n`);
  }
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    void service.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  // A second signal while draining is ignored on purpose: stop() is already running and safe to await.
  process.on("SIGINT", () => undefined);
  process.on("SIGTERM", () => undefined);
}

void main();
