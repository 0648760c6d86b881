/**
 * Turns an outbox message (an intent) into the Bot API call that delivers it. Plain text (no parse_mode), so
 * nothing a user or a translator writes can break the formatting.
 */
import { join } from "node:path";
import { InputFile } from "grammy";
import { PROJECT_ROOT } from "../base/project-root.ts";
import type { Message, MessageButton, Mention } from "../outbox/message.ts";

export interface BotApiCall {
  method: string;
  params: Record<string, unknown>;
}

/** The Bot API call for `message` to `chatId`. */
export function botApiCall(chatId: number, message: Message): BotApiCall {
  switch (message.kind) {
    case "text": {
      const params: Record<string, unknown> = { chat_id: chatId, text: message.text };
      if (message.discreet) Object.assign(params, { protect_content: true, disable_notification: true });
      const markup = message.shareContactLabel
        ? contactKeyboard(message.shareContactLabel, message.buttons ?? [])
        : inlineKeyboard(message.buttons ?? []);
      if (markup) params.reply_markup = markup;
      const entities = mentionEntities(message.text, message.mentions ?? []);
      if (entities.length > 0) params.entities = entities;
      return { method: "sendMessage", params };
    }
    case "edit":
      return {
        method: "editMessageText",
        params: {
          chat_id: chatId,
          message_id: message.messageId,
          text: message.text,
          reply_markup: inlineKeyboard(message.buttons) ?? { inline_keyboard: [] },
        },
      };
    case "relay":
      return {
        method: "copyMessage",
        params: {
          chat_id: chatId,
          from_chat_id: message.fromChatId,
          message_id: message.messageId,
          ...(message.protect ? { protect_content: true } : {}),
        },
      };
    case "delete":
      return { method: "deleteMessages", params: { chat_id: chatId, message_ids: message.messageIds } };
    case "voice":
      return voiceCall(chatId, message, message.fileId ? "file_id" : "upload");
  }
}

type VoiceMessage = Extract<Message, { kind: "voice" }>;

/** sendVoice by the file id the bot has, or uploading the shipped file (multipart; never a URL to fetch). */
export function voiceCall(chatId: number, message: VoiceMessage, by: "file_id" | "upload"): BotApiCall {
  const voice =
    by === "file_id" ? message.fileId : message.upload && new InputFile(join(PROJECT_ROOT, message.upload.file));
  const params: Record<string, unknown> = { chat_id: chatId, voice };
  if (message.caption) params.caption = message.caption;
  if (message.discreet) Object.assign(params, { protect_content: true, disable_notification: true });
  const markup = inlineKeyboard(message.buttons ?? []);
  if (markup) params.reply_markup = markup;
  return { method: "sendVoice", params };
}

function inlineKeyboard(buttons: MessageButton[][]): Record<string, unknown> | undefined {
  if (buttons.length === 0) return undefined;
  return { inline_keyboard: buttons.map((row) => row.map((b) => ({ text: b.label, callback_data: b.data }))) };
}

/** A reply keyboard: its buttons send their label as text, which the engine matches like a typed word. */
function contactKeyboard(label: string, buttons: MessageButton[][]): Record<string, unknown> {
  const rows = [
    [{ text: label, request_contact: true }],
    ...buttons.map((row) => row.map((b) => ({ text: b.label, request_contact: false }))),
  ];
  return { keyboard: rows, resize_keyboard: true, one_time_keyboard: true };
}

/** text_mention entities for names on the text's last line, in order (offsets in UTF-16 units, as Telegram's). */
function mentionEntities(text: string, mentions: Mention[]): Record<string, unknown>[] {
  const entities: Record<string, unknown>[] = [];
  let from = text.lastIndexOf("\n") + 1;
  for (const m of mentions) {
    const offset = text.indexOf(m.name, from);
    if (offset < 0) continue;
    entities.push({
      type: "text_mention",
      offset,
      length: m.name.length,
      user: { id: m.userId, is_bot: false, first_name: m.name },
    });
    from = offset + m.name.length;
  }
  return entities;
}
