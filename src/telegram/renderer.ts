/**
 * Turns engine replies into sendMessage parameters. Plain text (no parse_mode), so nothing a user or a translator
 * writes can break the formatting. Text longer than Telegram's 4096 characters is split at paragraph or line
 * breaks; the buttons go with the last part.
 */
import type { Locale } from "../base/locale.ts";
import type { Reply } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";

export const MESSAGE_MAX_CHARS = 4096;

/** The sendMessage parameters (without chat_id) for one reply: usually one message, more if the text is long. */
export function renderReply(reply: Reply, locale: Locale, translator: Translator): Record<string, unknown>[] {
  const body = reply.text.map((ref) => translator.render(locale, ref)).join("\n\n");
  const parts = splitText(body, MESSAGE_MAX_CHARS);
  const discreet = reply.discreet ? { protect_content: true, disable_notification: true } : {};
  return parts.map((part, index) => {
    const payload: Record<string, unknown> = { text: part, ...discreet };
    if (index === parts.length - 1) {
      const markup = replyMarkup(reply, locale, translator);
      if (markup) payload.reply_markup = markup;
    }
    return payload;
  });
}

function replyMarkup(reply: Reply, locale: Locale, translator: Translator): Record<string, unknown> | undefined {
  if (reply.requestContact) {
    // A reply keyboard: its buttons send their label as text, which the engine matches like a typed word.
    const rows = [[{ text: translator.render(locale, reply.requestContact), request_contact: true }]];
    for (const row of reply.buttons ?? []) rows.push(row.map((b) => ({ text: translator.render(locale, b.label), request_contact: false })));
    return { keyboard: rows, resize_keyboard: true, one_time_keyboard: true };
  }
  if (!reply.buttons?.length) return undefined;
  return {
    inline_keyboard: reply.buttons.map((row) => row.map((b) => ({ text: translator.render(locale, b.label), callback_data: b.data }))),
  };
}

/** Splits text into parts of at most `max` characters (code points), preferring to cut at a line break. */
export function splitText(text: string, max: number): string[] {
  let rest = [...text];
  const parts: string[] = [];
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const cut = window.lastIndexOf("\n");
    const length = cut > max / 2 ? cut : max;
    parts.push(rest.slice(0, length).join("").trimEnd());
    rest = rest.slice(length);
    while (rest[0] === "\n") rest = rest.slice(1);
  }
  parts.push(rest.join(""));
  const nonEmpty = parts.filter((p) => p.trim().length > 0);
  return nonEmpty.length > 0 ? nonEmpty : [" "];
}
