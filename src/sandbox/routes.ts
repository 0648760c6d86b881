/**
 * HTTP for the fake Telegram: the Bot API at /bot<token>/<method>, the control API at /sandbox/api (act as a
 * resident, read chats, inject faults), and the sandbox chat page at /.
 */
import { readFileSync } from "node:fs";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import Fastify from "fastify";
import { parseMultipart } from "./multipart.ts";
import { silentOggOpus } from "./sample-ogg.ts";

const SAMPLE_VOICE = silentOggOpus(3);
import { FakeApiError, type Fault, type FakeTelegram } from "./fake-telegram.ts";

export interface SandboxRoutesOptions {
  fake: FakeTelegram;
  /** The sandbox's movable clock (POST /sandbox/api/clock); without it the route is absent. */
  clock?: { advance(ms: number): number };
  /** The chat page and its words (km and en); without them only the APIs are served. */
  page?: { html: string; strings: Record<string, unknown> };
}

/** Registers the fake Bot API, the control API and (optionally) the page. */
export const sandboxRoutes: FastifyPluginAsync<SandboxRoutesOptions> = async (app, { fake, page, clock }) => {
  // grammY sends a call that uploads a file (sendVoice with a shipped recording) as multipart/form-data.
  app.addContentTypeParser(
    /^multipart\/form-data/,
    { parseAs: "buffer", bodyLimit: 5 * 1024 * 1024 },
    (request, body, done) => {
      try {
        done(null, parseMultipart(body as Buffer, String(request.headers["content-type"])));
      } catch (err) {
        done(Object.assign(err as Error, { statusCode: 400 }), undefined);
      }
    },
  );
  app.route({
    method: ["GET", "POST"],
    url: "/:botToken/:method",
    handler: async (request, reply) => {
      const { botToken, method } = request.params as { botToken: string; method: string };
      if (!botToken.startsWith("bot"))
        return reply.code(404).send({ ok: false, error_code: 404, description: "Not Found" });
      if (fake.isSilent()) {
        // A black hole: the connection stays open and nothing is ever answered, until the client gives up.
        reply.hijack();
        await new Promise((resolve) => request.raw.socket.once("close", resolve));
        return;
      }
      const params = { ...(request.query as object), ...((request.body as object | undefined) ?? {}) } as Record<
        string,
        unknown
      >;
      const result = await fake.call(botToken.slice(3), method, params);
      return reply.code(result.ok ? 200 : result.error_code).send(result);
    },
  });

  const api = "/sandbox/api";
  // "Open the console as Bopha": the staff member sends /console in the fake Telegram and the browser follows the link
  // the bot answers with, so the sandbox goes through the same login (approve it in that staff member's chat).
  app.get("/sandbox/console/:staffId", async (request, reply) => {
    const staffId = Number((request.params as { staffId: string }).staffId);
    if (!fake.listChats().some((c) => c.id === staffId && c.type === "private"))
      throw httpError(404, "no such staff member in the sandbox");
    const before = fake.botMessages(staffId).length;
    fake.sendText(staffId, "/console");
    const link = await fake.waitFor(() => {
      const latest = fake.botMessages(staffId).slice(before).at(-1)?.text;
      return latest ? (/\/console\/login\/[A-Za-z0-9_-]+/.exec(latest)?.[0] ?? "") : undefined;
    }, 10_000);
    if (!link) throw httpError(403, "the bot gave no console link (not on the roster?)");
    return reply.redirect(link, 303);
  });
  app.get(`${api}/chats`, async () => fake.listChats());
  app.post(`${api}/chats`, async (request) => {
    const { name } = (request.body ?? {}) as { name?: string };
    const id = 1000 + fake.listChats().length + 1;
    return fake.addUser({
      id,
      first_name: typeof name === "string" && name.trim() ? name.trim().slice(0, 40) : `Resident ${id}`,
    });
  });
  app.get(`${api}/messages`, async (request) =>
    fake.messagesAfter(Number((request.query as { after?: string }).after ?? 0) || 0),
  );
  app.get(`${api}/chats/:chatId/messages`, async (request) =>
    fake.chatLog(Number((request.params as { chatId: string }).chatId)),
  );
  app.post(`${api}/chats/:chatId/send`, async (request) => {
    const { text } = (request.body ?? {}) as { text?: unknown };
    if (typeof text !== "string" || text.trim() === "") throw httpError(400, "text is required");
    return fake.sendText(chatIdOf(request), text.slice(0, 4096));
  });
  app.post(`${api}/chats/:chatId/press`, async (request) => {
    const { message_id, data, user_id } = (request.body ?? {}) as {
      message_id?: unknown;
      data?: unknown;
      user_id?: unknown;
    };
    if (typeof message_id !== "number" || typeof data !== "string")
      throw httpError(400, "message_id and data are required");
    const chatId = chatIdOf(request);
    // In a group someone presses the button: user_id says who (the page's "Press buttons as").
    if (chatId < 0 && typeof user_id !== "number") throw httpError(400, "user_id is required in a group");
    return fake.pressButton(chatId < 0 ? (user_id as number) : chatId, message_id, data, chatId);
  });
  app.post(`${api}/chats/:chatId/other`, async (request) => {
    const { kind } = (request.body ?? {}) as { kind?: unknown };
    if (kind !== "sticker" && kind !== "voice" && kind !== "photo" && kind !== "document")
      throw httpError(400, "kind must be sticker, voice, photo or document");
    return fake.sendOther(chatIdOf(request), kind);
  });
  // A voice note's sound, for the page's player: what the bot uploaded, or a short silence standing in for a sample
  // note (the fake has no sound behind those). Nothing else is served.
  app.get(`${api}/files/:fileId`, async (request, reply) => {
    const { fileId } = request.params as { fileId: string };
    const bytes = fake.uploadedFile(fileId) ?? (fake.isVoiceFile(fileId) ? SAMPLE_VOICE : undefined);
    if (!bytes) throw httpError(404, "no such voice file");
    return reply.type("audio/ogg").header("cache-control", "no-store").send(Buffer.from(bytes));
  });
  app.post(`${api}/chats/:chatId/contact`, async (request) => {
    const { phone } = (request.body ?? {}) as { phone?: unknown };
    if (typeof phone !== "string") throw httpError(400, "phone is required");
    return fake.sendContact(chatIdOf(request), phone);
  });
  app.post(`${api}/chats/:chatId/block`, async (request) => {
    fake.blockBot(chatIdOf(request));
    return { ok: true };
  });
  app.post(`${api}/updates`, async (request) => fake.injectUpdate((request.body ?? {}) as Record<string, unknown>));
  app.post(`${api}/faults`, async (request) => {
    fake.addFault(request.body as Fault);
    return { ok: true };
  });
  if (clock)
    app.post(`${api}/clock`, async (request) => {
      const { minutes } = (request.body ?? {}) as { minutes?: unknown };
      if (typeof minutes !== "number" || !Number.isInteger(minutes) || minutes < 1 || minutes > 7 * 24 * 60)
        throw httpError(400, "minutes: a whole number from 1 to 10080 (the clock only moves forward)");
      return { ok: true, offsetMinutes: clock.advance(minutes * 60_000) / 60_000 };
    });
  app.get(`${api}/calls`, async (request) => {
    const { method } = request.query as { method?: string };
    return fake.calls.filter((c) => !method || c.method === method);
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _request, reply) => {
    if (err instanceof FakeApiError)
      return reply.code(err.errorCode).send({ ok: false, error_code: err.errorCode, description: err.description });
    return reply.code(err.statusCode ?? 500).send({ ok: false, description: err.message });
  });

  if (page) {
    app.get("/", async (_request, reply) => reply.type("text/html; charset=utf-8").send(page.html));
    app.get(`${api}/strings`, async () => page.strings);
  }
};

/** Reads the sandbox page from disk. */
export function readSandboxPage(): string {
  return readFileSync(new URL("./page.html", import.meta.url), "utf8");
}

/**
 * Starts the fake Telegram on its own HTTP server (for end-to-end tests and benchmarks).
 * Default host 127.0.0.1, port 0 (any free port).
 */
export async function startFakeTelegramServer(
  fake: FakeTelegram,
  port = 0,
): Promise<{ url: string; app: FastifyInstance; close: () => Promise<void> }> {
  // Connections held open by a black hole are closed with the server.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  await app.register(sandboxRoutes, { fake });
  const address = await app.listen({ host: "127.0.0.1", port });
  return { url: address, app, close: () => app.close() };
}

function chatIdOf(request: { params: unknown }): number {
  return Number((request.params as { chatId: string }).chatId);
}

function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}
