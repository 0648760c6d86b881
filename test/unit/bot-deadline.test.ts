/**
 * Every Bot API call has a deadline: against a Telegram that accepts connections and answers nothing (a black
 * hole on 127.0.0.1), a call is abandoned after its deadline instead of grammY's default 500 s.
 */
import { createServer, type Server, type Socket } from "node:net";
import { Api } from "grammy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { autoRetry } from "@grammyjs/auto-retry";
import { clientOptions, DIRECT_RETRY, SEND_DEADLINE_SECONDS } from "../../src/telegram/bot.ts";
import { classify } from "../../src/telegram/transport.ts";

let server: Server;
let root: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  server = createServer((socket) => sockets.push(socket)); // accepts, reads nothing back, never answers
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  root = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

describe("Bot API deadlines", () => {
  it("a send to a silent Telegram fails after its deadline, not after minutes", async () => {
    const api = new Api("123:abc", clientOptions(root, 1));
    const started = performance.now();
    const failure = await api.sendMessage(1, "hello").then(
      () => undefined,
      (err: unknown) => err,
    );
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(0.9);
    expect(seconds).toBeLessThan(5);
    // The outbox sender retries it later, as it would a 5xx.
    expect(classify(failure).failure).toEqual({ kind: "transient" });
  });

  it("a direct reply to a silent Telegram is not retried by auto-retry: it comes back after one deadline", async () => {
    const api = new Api("123:abc", clientOptions(root, 1));
    api.config.use(autoRetry(DIRECT_RETRY)); // as on the bot's own api (createBot)
    const started = performance.now();
    await expect(api.sendMessage(1, "hello")).rejects.toThrow();
    expect((performance.now() - started) / 1000).toBeLessThan(2.5); // one 1 s deadline, no retries with pauses
  });

  it("the default deadline for sends is 10 s", () => {
    expect(SEND_DEADLINE_SECONDS).toBe(10);
    expect(clientOptions(root, SEND_DEADLINE_SECONDS).timeoutSeconds).toBe(10);
  });
});
