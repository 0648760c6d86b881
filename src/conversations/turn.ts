/**
 * One resident turn, the use case: run the engine on what the resident did, save the new state, log the
 * interaction and queue the replies. Runs inside the update's transaction: a crash before the commit replays the
 * update; a crash after it leaves the replies queued, and the outbox sender delivers them.
 */
import type { Locale } from "../base/locale.ts";
import type { Engine, Input } from "../engine/interpreter.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InteractionLog } from "../interactions/log.ts";
import { composeReply } from "../outbox/compose.ts";
import type { OutboxStore } from "../outbox/store.ts";
import type { ConversationStore } from "./store.ts";

export interface TurnDeps {
  engine: Engine;
  translator: Translator;
  conversations: ConversationStore;
  interactions: InteractionLog;
  outbox: OutboxStore;
  defaultLocale: Locale;
}

/** What the resident did, read from the update by the chat layer. */
export interface ResidentAction {
  chatId: number;
  userId: number | undefined;
  input: Input;
  /** For the interaction log: text, command, button, contact, sticker, voice, photo, ... */
  kind: string;
  /** What the resident wrote or pressed, for the (encrypted) interaction log. */
  logText: string | undefined;
  /** The resident's own message id (quick exit deletes it later). */
  messageId: number | undefined;
  updateId: number;
  /** When the update is handled (epoch ms). */
  at: number;
}

/**
 * Queued replies wait this long before the rate-limited sender may take them: in the normal case the turn sends
 * them itself right after the commit; after a crash, the sender picks them up.
 */
export const REPLY_GRACE_MS = 10_000;

/** Takes the turn; returns the queued replies' ids and the toast for a button press (already translated). */
export async function takeTurn(
  deps: TurnDeps,
  action: ResidentAction,
): Promise<{ replyIds: number[]; notice: string | undefined }> {
  const { engine, translator, conversations, interactions, outbox } = deps;
  const { chatId, updateId, at } = action;
  const chosen = (await conversations.touch(chatId, action.userId)).locale;
  const previous = await conversations.load(chatId);
  const turn = await engine.handle(previous, action.input, {
    chatId,
    locale: chosen ?? deps.defaultLocale,
    now: new Date(at),
  });
  const locale = turn.locale ?? chosen ?? deps.defaultLocale;
  if (turn.locale) await conversations.setLocale(chatId, turn.locale);
  await conversations.save(chatId, turn.state);

  const [fromFlow, fromNode] = split(previous?.node);
  await interactions.record({
    chatId,
    direction: "in",
    kind: action.kind,
    flow: fromFlow,
    node: fromNode,
    text: action.logText,
    updateId,
  });
  if (action.messageId !== undefined) await interactions.rememberMessage(chatId, action.messageId, false, at);

  const [toFlow, toNode] = split(turn.state.node);
  const replyIds: number[] = [];
  for (const [r, reply] of turn.replies.entries()) {
    for (const [p, message] of composeReply(reply, locale, translator).entries()) {
      const id = await outbox.enqueue({
        dedupeKey: `reply:${updateId}:${r}.${p}`,
        chatId,
        purpose: "reply",
        message,
        notBefore: at + REPLY_GRACE_MS,
      });
      if (id !== undefined) replyIds.push(id);
      await interactions.record({
        chatId,
        direction: "out",
        kind: "message",
        flow: toFlow,
        node: toNode,
        text: message.text,
        updateId,
      });
    }
  }
  return { replyIds, notice: turn.notice ? translator.render(locale, turn.notice) : undefined };
}

/** "flow.node" → ["flow", "node"]. */
function split(ref: string | undefined): [string | undefined, string | undefined] {
  if (!ref) return [undefined, undefined];
  const dot = ref.indexOf(".");
  return [ref.slice(0, dot), ref.slice(dot + 1)];
}
