/**
 * The setup end-to-end tests share: a fake Bot API on 127.0.0.1 with 20 residents and a staff group, a fresh data
 * folder, and the real service started as a child process against them (stopped with SIGKILL after each test).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
import { FakeTelegram } from "../../src/sandbox/fake-telegram.ts";
import { startFakeTelegramServer } from "../../src/sandbox/routes.ts";
import { type RunningService, startService } from "./service-process.ts";

export const E2E_TOKEN = "4242424242:e2e-token-for-the-fake-bot-api-only";
export const E2E_KEY = "jdY8+OltvMlJHD6Mv/HhPqcCCqh0afI+5lnYCziZHZo=";
export const E2E_STAFF = -777;

/**
 * Registers the hooks; the returned object gives the current test's fake, folder, environment and starter. With
 * `limits`, the fake Bot API enforces Telegram's sending limits (429 beyond `perSecond`); `residents` replaces the
 * default residents 1-20.
 */
export function useEndToEnd(
  options: { limits?: { perSecond: number; chatIntervalMs: number }; residents?: readonly number[] } = {},
) {
  let fake: FakeTelegram;
  let server: Awaited<ReturnType<typeof startFakeTelegramServer>>;
  let dir: string;
  const running: RunningService[] = [];

  beforeEach(async () => {
    fake = new FakeTelegram({
      token: E2E_TOKEN,
      webhookRetryMs: 100,
      ...(options.limits ? { limits: options.limits } : {}),
    });
    for (const id of options.residents ?? Array.from({ length: 20 }, (_, i) => i + 1)) {
      fake.addUser({ id, first_name: `R${id}` });
    }
    fake.addGroup(E2E_STAFF, "Staff");
    server = await startFakeTelegramServer(fake);
    dir = mkdtempSync(join(tmpdir(), "spean-e2e-"));
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((s) => s.stop("SIGKILL")));
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const env = (extra: Record<string, string> = {}) => ({
    BOT_TOKEN: E2E_TOKEN,
    TELEGRAM_API_ROOT: server.url,
    ENCRYPTION_KEY: E2E_KEY,
    DATABASE_PATH: join(dir, "spean.db"),
    STAFF_CHAT_ID: String(E2E_STAFF),
    PORT: "0",
    BACKUP_DIR: "off",
    ...extra,
  });
  const texts = (chat: number) => fake.botMessages(chat).map((m) => m.text ?? "");

  return {
    get fake() {
      return fake;
    },
    get server() {
      return server;
    },
    get dir() {
      return dir;
    },
    env,
    texts,
    /** Starts the service (`nodeArgs`: see startService) and waits until it says it started. */
    async start(extra: Record<string, string> = {}, nodeArgs?: string[]) {
      const service = await startService(env(extra), /spean started/, nodeArgs);
      running.push(service);
      return service;
    },
    /** Starts the service expecting `ready` in its output (e.g. a refusal to start); `nodeArgs` as in `start`. */
    async startExpecting(ready: RegExp, extra: Record<string, string> = {}, nodeArgs?: string[]) {
      const service = await startService(env(extra), ready, nodeArgs);
      running.push(service);
      return service;
    },
    /** Waits until the bot has sent `count` messages starting with `text` to `chat`. */
    waitForText: (chat: number, text: string, count = 1, timeoutMs = 15_000) =>
      fake.waitFor(() => texts(chat).filter((t) => t.startsWith(text)).length >= count, timeoutMs),
  };
}
