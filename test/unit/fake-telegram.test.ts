/**
 * The fake Bot API itself: the tests and the sandbox rely on it behaving like Telegram where it matters.
 */
import { describe, expect, it } from "vitest";
import { FakeTelegram } from "../../src/sandbox/fake-telegram.ts";

const TOKEN = "1:abcdefghijklmnopqrstuvwxyz";

describe("the fake Bot API", () => {
  it("a long poll that ends an older one (a restarted service) still receives the next update at once", async () => {
    const fake = new FakeTelegram({ token: TOKEN });
    fake.addUser({ id: 1, first_name: "U1" });
    const older = fake.call(TOKEN, "getUpdates", { timeout: 30 });
    const newer = fake.call(TOKEN, "getUpdates", { timeout: 30 });
    expect(await older).toMatchObject({ ok: false, error_code: 409 });
    // Let the older request settle completely before the update arrives: it must not take the newer waiter with it.
    await new Promise((resolve) => setImmediate(resolve));
    const update = fake.sendText(1, "/start");
    const answer = await Promise.race([
      newer,
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), 1_000)),
    ]);
    expect(answer).toMatchObject({ ok: true, result: [{ update_id: update.update_id }] });
  });

  it("answers 429 past the per-second limit and counts messages to one chat closer than the interval", async () => {
    let clock = 0;
    const fake = new FakeTelegram({ token: TOKEN, now: () => clock, limits: { perSecond: 3, chatIntervalMs: 1000 } });
    for (const id of [1, 2, 3, 4]) fake.addUser({ id, first_name: `U${id}` });
    const send = (chat: number) => fake.call(fake.token, "sendMessage", { chat_id: chat, text: "hi" });
    for (const chat of [1, 2, 3]) expect((await send(chat)).ok).toBe(true);
    expect(await send(4)).toMatchObject({ ok: false, error_code: 429 });
    clock = 1500;
    expect((await send(1)).ok).toBe(true);
    clock = 1600;
    await send(1);
    expect(fake.limitStats).toEqual({ tooManyRequests: 1, perChatViolations: 1 });
  });
});
