import { describe, expect, it } from "vitest";
import { composeReply, splitText } from "../../src/outbox/compose.ts";
import { createTranslator } from "../../src/i18n/translator.ts";
import { botApiCall } from "../../src/telegram/renderer.ts";

describe("splitText", () => {
  it("keeps short text whole", () => expect(splitText("សួស្តី", 4096)).toEqual(["សួស្តី"]));

  it("splits long text at line breaks into parts Telegram accepts", () => {
    const paragraph = "ក".repeat(3000);
    const parts = splitText(`${paragraph}\n\n${paragraph}\n\n${paragraph}`, 4096);
    expect(parts).toHaveLength(3);
    for (const part of parts) expect([...part].length).toBeLessThanOrEqual(4096);
    expect(parts.join("")).toBe(paragraph.repeat(3));
  });

  it("cuts text without breaks at the limit, counting characters not UTF-16 units", () => {
    const parts = splitText("😀".repeat(5000), 4096);
    expect(parts.map((p) => [...p].length)).toEqual([4096, 904]);
  });
});

describe("messages: composed in the reader's language, rendered as Bot API calls when sent", () => {
  const translator = createTranslator(
    {
      km: { t: { long: "ក".repeat(3000), hi: "សួស្តី", go: "ទៅ", phone: "ផ្ញើលេខ" } },
      en: { t: { long: "a", hi: "Hi", go: "Go", phone: "Send number" } },
    },
    () => ({}),
  );

  it("a long reply becomes several text messages; the buttons go with the last", () => {
    const reply = {
      text: [{ key: "t.long" }, { key: "t.long" }],
      buttons: [[{ label: { key: "t.go" }, data: "x" }]],
      discreet: true,
    };
    const parts = composeReply(reply, "km", translator);
    expect(parts.map((p) => [p.kind, p.buttons?.length ?? 0, p.discreet])).toEqual([
      ["text", 0, true],
      ["text", 1, true],
    ]);
    expect(botApiCall(7, parts[1]!)).toEqual({
      method: "sendMessage",
      params: {
        chat_id: 7,
        text: "ក".repeat(3000),
        protect_content: true,
        disable_notification: true,
        reply_markup: { inline_keyboard: [[{ text: "ទៅ", callback_data: "x" }]] },
      },
    });
  });

  it("a phone question is a reply keyboard whose first button shares the contact", () => {
    const [message] = composeReply(
      {
        text: [{ key: "t.hi" }],
        requestContact: { key: "t.phone" },
        buttons: [[{ label: { key: "t.go" }, data: "x" }]],
      },
      "en",
      translator,
    );
    expect(botApiCall(7, message!).params.reply_markup).toEqual({
      keyboard: [[{ text: "Send number", request_contact: true }], [{ text: "Go", request_contact: false }]],
      resize_keyboard: true,
      one_time_keyboard: true,
    });
  });

  it("mentions link the names on the last line; edits, relays and deletions map to their methods", () => {
    const mention = botApiCall(-1, {
      kind: "text",
      text: "Vanna Vanna\nplease look: Vanna, Dara",
      mentions: [
        { name: "Vanna", userId: 2 },
        { name: "Dara", userId: 3 },
      ],
    });
    expect(mention.params.entities).toEqual([
      { type: "text_mention", offset: 25, length: 5, user: { id: 2, is_bot: false, first_name: "Vanna" } },
      { type: "text_mention", offset: 32, length: 4, user: { id: 3, is_bot: false, first_name: "Dara" } },
    ]);
    expect(botApiCall(1, { kind: "edit", messageId: 9, text: "x", buttons: [] })).toEqual({
      method: "editMessageText",
      params: { chat_id: 1, message_id: 9, text: "x", reply_markup: { inline_keyboard: [] } },
    });
    expect(botApiCall(1, { kind: "relay", fromChatId: 2, messageId: 3, protect: true })).toEqual({
      method: "copyMessage",
      params: { chat_id: 1, from_chat_id: 2, message_id: 3, protect_content: true },
    });
    expect(botApiCall(1, { kind: "delete", messageIds: [4, 5] })).toEqual({
      method: "deleteMessages",
      params: { chat_id: 1, message_ids: [4, 5] },
    });
  });
});
