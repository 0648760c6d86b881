/** The Telegram watch (src/telegram/watch.ts) and GET /readyz (src/app.ts). */
import { readiness, STUCK_AFTER_MS } from "../../src/service/readiness.ts";
import { createHarness, RESIDENT } from "../helpers/harness.ts";
import { describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { createTelegramWatch } from "../../src/telegram/watch.ts";
import { createLogger } from "../../src/logger.ts";

function recordingLogger() {
  const lines: string[] = [];
  return {
    lines,
    warn: (_o: object, msg: string) => lines.push(`warn ${msg}`),
    info: (_o: object, msg: string) => lines.push(`info ${msg}`),
  };
}

describe("Telegram watch", () => {
  it("tells when Telegram stops answering (one warning) and when it answers again (one line)", async () => {
    const logger = recordingLogger();
    let clock = 1000;
    const watch = createTelegramWatch(logger, () => clock);
    const ok = async () => ({ ok: true, result: true }) as never;
    const silent = async () => {
      throw new Error("deadline");
    };
    expect(watch.status()).toEqual({ lastAnswerAt: undefined, lastFailureAt: undefined, reachable: true });
    await watch.transformer(ok, "sendMessage", { chat_id: 1, text: "x" } as never);
    clock = 2000;
    await expect(watch.transformer(silent as never, "sendMessage", { chat_id: 1, text: "x" } as never)).rejects.toThrow(
      "deadline",
    );
    await expect(watch.transformer(silent as never, "getUpdates", {} as never)).rejects.toThrow();
    expect(watch.status()).toEqual({ lastAnswerAt: 1000, lastFailureAt: 2000, reachable: false });
    clock = 5000;
    await watch.transformer(
      async () => ({ ok: false, error_code: 403, description: "blocked" }) as never,
      "sendMessage",
      {} as never,
    );
    expect(watch.status().reachable).toBe(true); // a 4xx is Telegram answering
    expect(logger.lines).toEqual(["warn telegram is not answering", "info telegram answers again"]);
  });
});

describe("Telegram watch: calls Spean abandons", () => {
  it("calls back once when Telegram answers again after failing", async () => {
    let recovered = 0;
    const watch = createTelegramWatch(recordingLogger(), Date.now, { onRecovered: () => void (recovered += 1) });
    const fail = async () => {
      throw new Error("deadline");
    };
    await watch.transformer(async () => ({ ok: true, result: true }) as never, "sendMessage", {} as never);
    await expect(watch.transformer(fail as never, "sendMessage", {} as never)).rejects.toThrow();
    await expect(watch.transformer(fail as never, "sendMessage", {} as never)).rejects.toThrow();
    await watch.transformer(async () => ({ ok: true, result: true }) as never, "sendMessage", {} as never);
    await watch.transformer(async () => ({ ok: true, result: true }) as never, "sendMessage", {} as never);
    expect(recovered).toBe(1);
  });

  it("a failing callback is logged by its code and never reaches the call that noticed the return", async () => {
    const logger = recordingLogger();
    const watch = createTelegramWatch(logger, Date.now, {
      onRecovered: async () => {
        throw Object.assign(new Error("database is locked"), { code: "SQLITE_BUSY" });
      },
    });
    const fail = async () => {
      throw new Error("deadline");
    };
    await expect(watch.transformer(fail as never, "sendMessage", {} as never)).rejects.toThrow();
    await expect(
      watch.transformer(async () => ({ ok: true, result: true }) as never, "sendMessage", {} as never),
    ).resolves.toEqual({ ok: true, result: true });
    await vi.waitFor(() => expect(logger.lines).toContain("warn acting on telegram's return failed"));
  });

  it("a call aborted by Spean itself (polling stopped at shutdown) is not Telegram failing", async () => {
    const logger = recordingLogger();
    const watch = createTelegramWatch(logger);
    const abort = new AbortController();
    abort.abort();
    const aborted = async () => {
      throw new Error("aborted");
    };
    await expect(
      watch.transformer(aborted as never, "getUpdates", {} as never, abort.signal as never),
    ).rejects.toThrow();
    expect(watch.status().reachable).toBe(true);
    expect(logger.lines).toEqual([]);
  });
});

describe("GET /readyz", () => {
  it("is 200 when ready and 503 with the reason when not, counts and times only", async () => {
    let state = { ready: true, checks: { database: true, telegram: { reachable: true } } };
    const app = await buildApp({ logger: createLogger("silent"), health: () => ({}), ready: async () => state });
    expect((await app.inject({ method: "GET", url: "/readyz" })).statusCode).toBe(200);
    state = { ready: false, checks: { database: true, telegram: { reachable: false } } };
    const response = await app.inject({ method: "GET", url: "/readyz" });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual(state);
    await app.close();
  });
});

describe("readiness", () => {
  it("is not ready when an update has waited more than 10 minutes (a stuck worker), and says how long", async () => {
    const h = await createHarness();
    await h.say("/start"); // Telegram has answered
    expect((await readiness(h.core, h.side)).ready).toBe(true);
    await h.core.inbox.ingest(h.fake.sendText(RESIDENT, "hello") as never);
    h.advance(STUCK_AFTER_MS + 1000);
    const report = await readiness(h.core, h.side);
    expect(report.ready).toBe(false);
    expect(report.checks.inbox).toMatchObject({ pending: 1, oldestPendingAgeMs: STUCK_AFTER_MS + 1000 });
    await h.close();
  });
});
