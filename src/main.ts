/**
 * The composition root: the only file that reads the environment, listens, polls and schedules (through
 * createService). Bad configuration or content stops start-up with one message and exit code 1.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { staleBuildReason } from "./build-freshness.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { SpeanError } from "./base/errors.ts";
import { useKeptFiles } from "./base/kept-files.ts";
import { useSourceRunCache } from "./boot/source-cache.ts";
import { PROJECT_ROOT } from "./base/project-root.ts";
import { createLogger } from "./logger.ts";
import { createService } from "./service/service.ts";
import { stopWithin } from "./shutdown.ts";

async function main(): Promise<void> {
  refuseStaleBuild();
  useBuiltContent();
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(
        `Spean cannot start: ${err.message}\nSee .env.example for every variable and its default.\n`,
      );
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger(config.logLevel);
  let service: Awaited<ReturnType<typeof createService>> | undefined;
  let starting: Promise<void> | undefined;
  let stopping = false;
  // Installed before anything starts: until a listener exists, SIGTERM's default action kills the process at once,
  // so a signal sent just after start-up would skip the drain. A second signal while draining is ignored.
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, "shutting down");
    const stop = async () => {
      await starting?.catch(() => undefined);
      await service?.stop();
    };
    void stopWithin(stop, config.shutdownGraceSeconds * 1000).then((how) => {
      if (how === "late")
        logger.warn(
          { graceSeconds: config.shutdownGraceSeconds },
          "shutdown took longer than its grace time; exiting, unfinished work stays queued",
        );
      process.exit(0);
    });
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  try {
    service = await createService(config, logger);
    starting = service.start();
    await starting;
  } catch (err) {
    if (stopping) return; // the failure came from a shutdown during start-up; shutdown() exits
    const message = err instanceof SpeanError ? `${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`Spean cannot start: ${message}\n`);
    await service?.stop().catch(() => undefined);
    process.exit(1);
  }
  if (config.mode === "sandbox" && !stopping) {
    const url = (service.address ?? "").replace("127.0.0.1", "localhost");
    process.stdout.write(`Spean sandbox is running at ${url} (no BOT_TOKEN set: a built-in fake Telegram stands in)\n`);
  }
}

/**
 * The compiled build reads what `npm run build` computed and kept (base/kept-files.ts): the content files already
 * parsed and validated (about 0.6 s), the search's question model and the danger lexicon (about 2.5 s and 0.2 s).
 * A run from source computes those at its first start and keeps them for the next (boot/source-cache.ts).
 */
function useBuiltContent(): void {
  const entry = fileURLToPath(import.meta.url);
  if (entry.endsWith(".ts")) {
    useSourceRunCache(PROJECT_ROOT);
    return;
  }
  useKeptFiles(join(dirname(entry), "models"));
}

/** When running the compiled build (npm run start:prod), refuses to start if src/ changed since it was built. */
function refuseStaleBuild(): void {
  const entry = fileURLToPath(import.meta.url);
  if (entry.endsWith(".ts")) return; // run from source by tsx
  const reason = staleBuildReason(entry, join(dirname(entry), "..", "src"));
  if (!reason) return;
  process.stderr.write(`Spean cannot start: ${reason}\n`);
  process.exit(1);
}

void main();
