/**
 * The grammY bot: quick exit, the features' routes and the resident turn, mounted in one place in a fixed order.
 * Nothing here listens or polls; main.ts decides how updates arrive (polling or webhook, both through the inbox).
 */
import { autoRetry } from "@grammyjs/auto-retry";
import { Api, Bot, type Context } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { Feature } from "../features/contract.ts";
import { featureRoutes, type FeatureRoutesDeps } from "./features.ts";
import { type QuickExitMiddlewareDeps, quickExitMiddleware } from "./quick-exit.ts";
import { type ResidentTurnDeps, residentTurn } from "./turn.ts";

/** What the bot's middleware needs: the features, and the stores and services their routes use. */
export type BotDeps = ResidentTurnDeps & FeatureRoutesDeps & QuickExitMiddlewareDeps & { features: readonly Feature[] };

export interface BotOptions {
  token: string;
  /** Default https://api.telegram.org (no trailing slash). */
  apiRoot: string;
  /** Known bot identity: skips getMe (sandbox and tests). */
  botInfo?: UserFromGetMe;
  /** Deadline of every Bot API call but getUpdates. Default {@link SEND_DEADLINE_SECONDS}. */
  sendDeadlineSeconds?: number;
}

/**
 * A Bot API call that has not answered in this time is abandoned and retried like a 5xx (grammY's own default is
 * 500 s: a Telegram that accepts connections and answers nothing would hold every reply for minutes).
 */
export const SEND_DEADLINE_SECONDS = 10;
/** A liveness probe (getMe) that has not answered in this time counts as Telegram not answering. */
export const PROBE_DEADLINE_SECONDS = 5;
/** getUpdates waits up to its long-poll time; its deadline is that time plus this margin. */
export const POLL_DEADLINE_MARGIN_SECONDS = 10;

/** grammY client options: where the Bot API is, and how long a call may take before it is abandoned. */
export function clientOptions(apiRoot: string, deadlineSeconds: number) {
  return { apiRoot, timeoutSeconds: deadlineSeconds };
}

/**
 * Replies to a resident retry at most twice and wait at most 5 s; longer waits belong to the outbox sender. A network
 * failure or deadline is not retried here at all: the auto-retry plugin would retry it forever with a growing pause
 * (holding the reply, and the chat's next updates, for as long as Telegram is silent).
 */
export const DIRECT_RETRY = { maxRetryAttempts: 2, maxDelaySeconds: 5, rethrowHttpErrors: true } as const;

/**
 * Creates the bot with Spean's middleware. Its `api` retries briefly; `queueApi` never retries by itself; both give
 * up on a call after `sendDeadlineSeconds`. `pollApi` is for getUpdates only, with a deadline of
 * `pollSeconds` (default 30) plus a margin.
 */
export function createBot(options: BotOptions, deps: BotDeps) {
  const client = clientOptions(options.apiRoot, options.sendDeadlineSeconds ?? SEND_DEADLINE_SECONDS);
  const bot = new Bot<Context>(options.token, { client, ...(options.botInfo ? { botInfo: options.botInfo } : {}) });
  bot.api.config.use(autoRetry(DIRECT_RETRY));
  const queueApi = new Api(options.token, client);
  /** For liveness probes: a short deadline, no retries. */
  const probeApi = new Api(options.token, clientOptions(options.apiRoot, PROBE_DEADLINE_SECONDS));
  const pollApi = (pollSeconds = 30) =>
    new Api(options.token, clientOptions(options.apiRoot, pollSeconds + POLL_DEADLINE_MARGIN_SECONDS));

  // A resident who blocks the bot (or unblocks it) tells us through my_chat_member.
  bot.on("my_chat_member", async (ctx, next) => {
    const status = ctx.myChatMember.new_chat_member.status;
    if (ctx.chat.type === "private" && status === "kicked") await deps.conversations.markBlocked(ctx.chat.id);
    await next();
  });
  // Order matters: quick exit works from any state; the features' buttons, commands and interceptors (a resident
  // talking with a caseworker is relayed instead of answered) come before the resident's turn.
  bot.use(quickExitMiddleware(deps));
  bot.use(featureRoutes(deps.features, deps));
  bot.use(residentTurn(deps));
  return { bot, queueApi, pollApi, probeApi };
}

/** The commands shown in Telegram's menu, per language. */
export const COMMANDS = ["start", "menu", "emergency", "exit", "language", "help", "mydata", "forget"] as const;
