/**
 * Reads what a resident did out of a Telegram update: a command, text, a button, a shared contact, or something
 * the bot cannot read (sticker, voice note, photo...). Updates that are not a resident talking in a private chat
 * give undefined.
 */
import type { Update } from "grammy/types";
import type { ResidentAction } from "../conversations/turn.ts";
import type { Input } from "../engine/interpreter.ts";
import { MESSAGE_MAX_CHARS } from "../outbox/message.ts";

/** What the resident did (the turn's input, conversations/turn.ts), and the button press to answer, if any. */
export interface ResidentInput extends Omit<ResidentAction, "updateId" | "at"> {
  callbackQueryId: string | undefined;
}

const UNSUPPORTED_KINDS = [
  "sticker",
  "voice",
  "audio",
  "video",
  "video_note",
  "photo",
  "document",
  "animation",
  "location",
  "poll",
  "dice",
];

/** Extracts the resident's input; undefined for updates that are not a private-chat message or button press. */
export function readInput(update: Update): ResidentInput | undefined {
  const query = update.callback_query;
  if (query) {
    const chat = query.message?.chat;
    if (chat && chat.type !== "private") return undefined;
    const data = typeof query.data === "string" ? query.data : "";
    return {
      chatId: chat?.id ?? query.from.id,
      userId: query.from.id,
      input: { kind: "button", data },
      kind: "button",
      logText: data,
      messageId: undefined,
      callbackQueryId: query.id,
    };
  }
  const message = update.message;
  if (!message || message.chat?.type !== "private") return undefined;
  const base = {
    chatId: message.chat.id,
    userId: message.from?.id,
    messageId: message.message_id,
    callbackQueryId: undefined,
  };
  if (typeof message.text === "string") {
    const text = [...message.text].slice(0, MESSAGE_MAX_CHARS).join("");
    const command = commandName(text);
    if (command) return { ...base, input: { kind: "command", name: command }, kind: "command", logText: text };
    return { ...base, input: { kind: "text", text }, kind: "text", logText: text };
  }
  if (message.contact) {
    // Only the resident's own number counts; a forwarded contact card of someone else is not an answer.
    const own = message.contact.user_id === message.from?.id;
    const input: Input = own
      ? { kind: "contact", phone: message.contact.phone_number }
      : { kind: "unsupported", what: "contact" };
    return { ...base, input, kind: "contact", logText: undefined };
  }
  const what = mediaKindOf(message);
  return { ...base, input: { kind: "unsupported", what }, kind: what, logText: undefined };
}

/** What a message without text or contact holds: "voice", "photo", "sticker", ... ("other" if none of these). */
export function mediaKindOf(message: object): string {
  return UNSUPPORTED_KINDS.find((k) => k in message) ?? "other";
}

/** The command a message starts with ("/start", "/Menu@spean_bot now"), lower-cased and without the slash. */
export function commandName(text: string): string | undefined {
  return /^\/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)/.exec(text)?.[1]?.toLowerCase();
}
