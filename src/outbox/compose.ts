/**
 * Turns an engine reply (locale keys and buttons) into text messages in the reader's language. Text longer than
 * {@link MESSAGE_MAX_CHARS} is split at paragraph or line breaks; the buttons go with the last part.
 */
import type { Locale } from "../base/locale.ts";
import type { Reply } from "../base/reply.ts";
import type { Translator } from "../i18n/translator.ts";
import { MESSAGE_MAX_CHARS, type Message, type MessageButton } from "./message.ts";

export type TextMessage = Extract<Message, { kind: "text" }>;

/** The text messages for one reply: usually one, more if the text is long. */
export function composeReply(reply: Reply, locale: Locale, translator: Translator): TextMessage[] {
  const body = reply.text.map((ref) => translator.render(locale, ref)).join("\n\n");
  const parts = splitText(body, MESSAGE_MAX_CHARS);
  const buttons = translatedButtons(reply, locale, translator);
  return parts.map((part, index) => {
    const message: TextMessage = { kind: "text", text: part };
    if (reply.discreet) message.discreet = true;
    if (index === parts.length - 1) {
      if (buttons.length > 0) message.buttons = buttons;
      if (reply.requestContact) message.shareContactLabel = translator.render(locale, reply.requestContact);
    }
    return message;
  });
}

function translatedButtons(reply: Reply, locale: Locale, translator: Translator): MessageButton[][] {
  return (reply.buttons ?? []).map((row) =>
    row.map((b) => ({ label: translator.render(locale, b.label), data: b.data })),
  );
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
