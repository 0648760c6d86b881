import type { FastifyInstance } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/logger.ts";
import { createHarness, type Harness, RESIDENT } from "../helpers/harness.ts";
import { itOnSqlite, sqliteOf } from "../helpers/test-database.ts";

const SECRET = "test_secret-123";
let h: Harness;
let app: FastifyInstance;

beforeEach(async () => {
  h = await createHarness();
  app = await buildApp({
    logger: createLogger("silent"),
    health: async () => ({ inbox: await h.core.inbox.counts() }),
    webhook: {
      path: "/telegram/webhook",
      secret: SECRET,
      ingest: (u) => h.core.admission.admit(u),
      onIngested: () => h.side.worker.wake(),
    },
  });
});
afterEach(async () => {
  await h.side.worker.stop();
  await app.close();
  await h.close();
});

const update = (id: number) => ({
  update_id: id,
  message: {
    message_id: id,
    date: 0,
    chat: { id: RESIDENT, type: "private" },
    from: { id: RESIDENT, is_bot: false, first_name: "T" },
    text: "/start",
  },
});

describe("webhook", () => {
  it.each([
    ["missing", {}],
    ["wrong", { "x-telegram-bot-api-secret-token": "nope" }],
    ["almost right", { "x-telegram-bot-api-secret-token": `${SECRET}x` }],
  ])("a %s secret gets 401 and touches nothing", async (_what, headers) => {
    const response = await app.inject({ method: "POST", url: "/telegram/webhook", headers, payload: update(1) });
    expect(response.statusCode).toBe(401);
    expect(await h.core.inbox.counts()).toEqual({ pending: 0, done: 0, quarantined: 0 });
  });

  it("a wrong secret with a malformed body is still 401 (the body is not even parsed)", async () => {
    const response = await app.inject({
      method: "POST",
      url: "/telegram/webhook",
      headers: { "content-type": "application/json" },
      payload: "{not json",
    });
    expect(response.statusCode).toBe(401);
  });

  it.each([
    ["malformed JSON", "{not json"],
    ["an array", "[1,2]"],
    ["no update_id", JSON.stringify({ message: {} })],
    ["a text update_id", JSON.stringify({ update_id: "7" })],
    ["null", "null"],
    ["an update nested 100,000 deep", `{"update_id":1,"message":${"[".repeat(100_000)}${"]".repeat(100_000)}}`],
    ["an update nested 65 deep", `{"update_id":1,"x":${'{"a":'.repeat(64)}1${"}".repeat(64)}}`],
  ])("%s gets 400 and touches nothing", async (_what, payload) => {
    const response = await app.inject({
      method: "POST",
      url: "/telegram/webhook",
      headers: { "x-telegram-bot-api-secret-token": SECRET, "content-type": "application/json" },
      payload,
    });
    expect(response.statusCode).toBe(400);
    expect(await h.core.inbox.counts()).toEqual({ pending: 0, done: 0, quarantined: 0 });
  });

  it("the same update delivered 3 times is stored once and handled once", async () => {
    for (let i = 0; i < 3; i++) {
      const response = await app.inject({
        method: "POST",
        url: "/telegram/webhook",
        headers: { "x-telegram-bot-api-secret-token": SECRET },
        payload: update(42),
      });
      expect(response.statusCode).toBe(200);
    }
    expect((await h.core.inbox.counts()).pending).toBe(1);
    h.side.worker.start();
    await h.side.worker.idle();
    expect(await h.core.inbox.counts()).toEqual({ pending: 0, done: 1, quarantined: 0 });
    expect(h.fake.botMessages(RESIDENT).filter((m) => m.text === h.render("main.welcome"))).toHaveLength(1);
    expect((await h.core.interactions.ofChat(RESIDENT)).filter((e) => e.direction === "in")).toHaveLength(1);
  });

  it("GET /healthz reports counts only", async () => {
    const response = await app.inject({ method: "GET", url: "/healthz" });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ok: true, inbox: { pending: 0, done: 0, quarantined: 0 } });
  });
});

describe("webhook under a flood", () => {
  const post = (target: FastifyInstance, body: unknown) =>
    target.inject({
      method: "POST",
      url: "/telegram/webhook",
      headers: { "x-telegram-bot-api-secret-token": SECRET },
      payload: body as Record<string, unknown>,
    });
  const textFrom = (id: number, chat: number, text = "hello") => ({
    update_id: id,
    message: { message_id: id, date: 0, chat: { id: chat, type: "private" }, from: { id: chat }, text },
  });

  it("a flooding chat: extra updates acknowledged and dropped, asked to wait once; danger still gets in", async () => {
    await h.side.worker.stop(); // nothing is handled: the backlog stays
    for (let id = 1; id <= 25; id++) expect((await post(app, textFrom(id, RESIDENT))).statusCode).toBe(200);
    expect((await h.core.inbox.backlog()).pending).toBe(20);
    expect(await h.core.inbox.droppedSince(0)).toBe(5);
    expect((await post(app, textFrom(26, RESIDENT, "គាត់វាយខ្ញុំ ជួយផង"))).statusCode).toBe(200);
    expect(await h.core.inbox.pendingIn(`chat:${RESIDENT}`)).toBe(21);
    await h.deliverQueued();
    const notices = h.fake.botMessages(RESIDENT).map((m) => m.text);
    expect(notices).toEqual([`${h.render("common.flood_wait")}\n\n${h.safetyNet()}`]);
  });

  it("a full inbox answers 503, so that Telegram delivers the update again later", async () => {
    const full = await createHarness({ INBOX_LIMIT: "100" });
    const fullApp = await buildApp({
      logger: createLogger("silent"),
      health: () => ({}),
      webhook: {
        path: "/telegram/webhook",
        secret: SECRET,
        ingest: (u) => full.core.admission.admit(u),
        onIngested: () => undefined,
      },
    });
    for (let chat = 1; chat <= 100; chat++) await full.core.inbox.ingest(textFrom(chat, 1000 + chat) as never);
    const response = await post(fullApp, textFrom(500, 9999));
    expect(response.statusCode).toBe(503);
    expect(response.headers["retry-after"]).toBe("5");
    expect((await full.core.inbox.backlog()).pending).toBe(100);
    await fullApp.close();
    await full.close();
  });
});

describe("webhook with a full disk", () => {
  itOnSqlite(
    "answers 503 while the database cannot grow (Telegram delivers again), and 200 once there is space",
    async () => {
      await h.side.worker.stop();
      const client = sqliteOf(h.core).$client;
      const pages = client.pragma("page_count", { simple: true }) as number;
      client.pragma(`max_page_count = ${pages}`); // as if the disk were full: no new page can be written
      let status = 200;
      let id = 1000;
      for (; id < 3000 && status === 200; id++) {
        const big = { ...update(id), message: { ...update(id).message, text: "x".repeat(3000) } };
        status = (
          await app.inject({
            method: "POST",
            url: "/telegram/webhook",
            headers: { "x-telegram-bot-api-secret-token": SECRET },
            payload: { ...big, message: { ...big.message, chat: { id: id, type: "private" } } },
          })
        ).statusCode;
      }
      expect(status).toBe(503);
      client.pragma("max_page_count = 1073741823");
      const again = await app.inject({
        method: "POST",
        url: "/telegram/webhook",
        headers: { "x-telegram-bot-api-secret-token": SECRET },
        payload: update(id),
      });
      expect(again.statusCode).toBe(200);
    },
  );
});
