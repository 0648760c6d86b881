/**
 * The Telegram webhook route. It only persists: a wrong or missing secret gets 401 and a malformed body 400, both
 * before the database is touched; a good update is written to the inbox and acknowledged at once. When the inbox is
 * full the answer is 503, and Telegram delivers the update again later.
 */
import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import { errorCode, isDiskFull } from "../base/errors.ts";
import type { Admitted } from "../inbox/admission.ts";
import type { InboundUpdate } from "../inbox/store.ts";

export interface WebhookRouteOptions {
  /** URL path, e.g. /telegram/webhook. */
  path: string;
  secret: string;
  /** Admits the update to the inbox (see inbox/admission.ts); may be asynchronous (group commit). */
  ingest: (update: InboundUpdate) => Admitted | Promise<Admitted>;
  /** Called after an update was stored. */
  onIngested: () => void;
}

/** Telegram updates are small; anything near this is not an update. */
const BODY_LIMIT_BYTES = 1_048_576;
/** A real update nests a dozen levels at most; a body nested deeper is refused before anything walks it recursively. */
export const MAX_BODY_DEPTH = 64;

/** Whether `value` nests objects or arrays deeper than `limit` (iterative: a deep body cannot overflow the stack). */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (item === null || typeof item !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(item))
      if (child !== null && typeof child === "object") stack.push([child, depth + 1]);
  }
  return false;
}

export const webhookRoute: FastifyPluginAsync<WebhookRouteOptions> = async (app, options) => {
  const expected = Buffer.from(options.secret);

  app.post(options.path, {
    bodyLimit: BODY_LIMIT_BYTES,
    // onRequest runs before the body is parsed: an unauthenticated caller learns nothing about our parser.
    onRequest: async (request, reply) => {
      const given = request.headers["x-telegram-bot-api-secret-token"];
      const supplied = Buffer.from(typeof given === "string" ? given : "");
      if (supplied.length !== expected.length || !timingSafeEqual(supplied, expected)) {
        return reply.code(401).send({ ok: false, error: "wrong secret token" });
      }
    },
    handler: async (request, reply) => {
      const body = request.body as Partial<InboundUpdate> | null;
      if (
        !body ||
        typeof body !== "object" ||
        Array.isArray(body) ||
        !Number.isSafeInteger(body.update_id) ||
        nestedDeeperThan(body, MAX_BODY_DEPTH)
      ) {
        return reply.code(400).send({ ok: false, error: "not a Telegram update" });
      }
      let admitted: Admitted;
      try {
        admitted = await options.ingest(body as InboundUpdate);
      } catch (err) {
        if (!isDiskFull(err)) throw err;
        // Telegram delivers the update again later; nothing is lost while the disk is full.
        request.log.error({ code: errorCode(err) }, "disk full: the webhook answers 503");
        return reply.code(503).header("retry-after", "30").send({ ok: false, error: "disk full" });
      }
      if (admitted === "full") return reply.code(503).header("retry-after", "5").send({ ok: false, error: "busy" });
      if (admitted === "accepted") options.onIngested();
      return reply.code(200).send({ ok: true });
    },
  });
};
