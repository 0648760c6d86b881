/**
 * Voice notes, photos, videos and documents from residents. The bot cannot listen or look, and there is no Khmer
 * speech recognition that runs here, so the answer is a person: the resident is told so at once, with the 117 / 119
 * line (a voice note may be a cry for help the bot cannot hear), and asked whether a caseworker may listen. With
 * that yes, the media join a referral ("message for a person", or the resident's open case); the staff group's alert
 * says only that a message is waiting, and the caseworker who claims it gets a copy from the resident's chat.
 *
 * Spean keeps the message id, kind and duration only: never the file, never a download (getFile is never called).
 * A burst of voice notes is one waiting item and one question, not twenty.
 */
import { createHash } from "node:crypto";
import { type Reply, type TextRef, text } from "../base/reply.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, IncomingMessage, Interception } from "../features/contract.ts";
import type { Translator } from "../i18n/translator.ts";
import type { InteractionLog } from "../interactions/log.ts";
import type { Locale } from "../base/locale.ts";
import { localDigits } from "../khmer/digits.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { Desk } from "./desk.ts";
import { isMediaKind, type MediaStore } from "./media-store.ts";
import { caseNumber, type Referral } from "./store.ts";

/** The category of a referral made for a voice note or photo. */
export const MEDIA_CATEGORY = "message";
/** Media within this long of the last one are the same burst: no new question, no new notice. */
const BURST_MS = 10 * 60_000;

export const MEDIA_TEXT_KEYS = [
  "media.prompt",
  "media.listen",
  "media.urgent",
  "media.no",
  "media.sent",
  "media.added",
  "media.not_sent",
  "media.nothing_waiting",
  `help.category_${MEDIA_CATEGORY}`,
] as const;

const VERBS = { yes: "y", urgent: "u", no: "n" } as const;
type Verb = keyof typeof VERBS;
const button = (verb: Verb) => `${CALLBACK_PREFIXES.person}:${VERBS[verb]}`;

export interface MediaDeskOptions {
  media: MediaStore;
  desk: Desk;
  outbox: OutboxStore;
  translator: Translator;
  interactions: InteractionLog;
  /** The 117 / 119 line every answer to media carries. */
  safetyNet: TextRef;
  districtOf: (chatId: number) => Promise<string | undefined>;
  residentLocale: (chatId: number) => Promise<Locale>;
  now: () => number;
}

export function createMediaDesk(options: MediaDeskOptions) {
  const { media, desk, now } = options;
  const mainMenu = [[{ label: text("common.main_menu"), data: CALLBACK_PREFIXES.menu }]];
  const prompt: Reply = {
    text: [text("media.prompt"), options.safetyNet],
    buttons: [
      [{ label: text("media.listen"), data: button("yes") }],
      [{ label: text("media.urgent"), data: button("urgent") }],
      [{ label: text("media.no"), data: button("no") }],
    ],
    discreet: true,
  };

  /** The resident's words for "I said yes to this": a hash of the question they saw, like the help flow's. */
  const consentVersion = (locale: Locale) =>
    createHash("sha256")
      .update(options.translator.render(locale, text("media.prompt")))
      .digest("hex")
      .slice(0, 12);

  const caseText = async (key: string, referral: Referral, chatId: number): Promise<TextRef> =>
    text(key, { case: localDigits(await options.residentLocale(chatId), caseNumber(referral.id)) });

  /**
   * A resident's voice note, photo, video or document (not during a talk with a caseworker, which relays it):
   * kept as an id, joined to their open case or waiting for their yes, answered once per burst.
   */
  async function received(message: IncomingMessage): Promise<Interception | undefined> {
    if (!isMediaKind(message.kind) || message.chatId !== message.userId) return undefined;
    const { chatId } = message;
    const last = await media.lastAt(chatId);
    const burst = last !== undefined && now() - last < BURST_MS;
    // The engine is skipped, so this records what it would have: the kind (no content) and the id, for quick exit.
    await options.interactions.record({
      chatId,
      direction: "in",
      kind: message.kind,
      flow: "media",
      node: "received",
      text: undefined,
      updateId: message.updateId,
    });
    await options.interactions.rememberMessage(chatId, message.messageId, false);
    const item = {
      chatId,
      messageId: message.messageId,
      kind: message.kind,
      ...(message.duration !== undefined ? { duration: message.duration } : {}),
    };
    const active = await desk.activeReferral(chatId);
    if (active) {
      await media.add({ ...item, referralId: active.id });
      const relayed = desk.relayMedia(active);
      const reply = burst
        ? []
        : answer(chatId, message.updateId, {
            text: [await caseText("media.added", active, chatId), options.safetyNet],
          });
      return { outboxIds: [...(await relayed), ...(await reply)], answerToo: false };
    }
    const waiting = (await media.pending(chatId)).length > 0;
    await media.add(item);
    return { outboxIds: waiting && burst ? [] : await answer(chatId, message.updateId, prompt), answerToo: false };
  }

  async function answer(chatId: number, updateId: number, reply: Reply): Promise<number[]> {
    return await queueReply(options.outbox, options.translator, {
      chatId,
      dedupeKey: `media:${updateId}`,
      reply: { ...reply, discreet: true },
      locale: await options.residentLocale(chatId),
    });
  }

  /** "🎧 Let a caseworker listen", "🆘 I need help now" or "No": in the resident's own chat only. */
  async function press(input: ButtonInput): Promise<ButtonOutcome> {
    const verb = (Object.keys(VERBS) as Verb[]).find((v) => button(v) === input.data);
    if (!verb || input.chatId !== input.userId) return { notice: text("common.expired_short") };
    const { chatId } = input;
    if (verb === "no") {
      await media.dropPending(chatId);
      return { notice: text("media.not_sent"), edit: { text: [text("media.not_sent")], buttons: mainMenu } };
    }
    if ((await media.pending(chatId)).length === 0)
      return {
        notice: text("media.nothing_waiting"),
        edit: { text: [text("media.nothing_waiting")], buttons: mainMenu },
      };
    const active = await desk.activeReferral(chatId);
    const referral =
      active ??
      (await desk.createReferral({
        chatId,
        category: MEDIA_CATEGORY,
        urgency: verb === "urgent" ? "urgent" : "normal",
        district: await options.districtOf(chatId),
        consentVersion: consentVersion(input.locale),
        contact: { method: "telegram", time: "any" },
      }));
    await media.attach(chatId, referral.id);
    const outboxIds = active ? desk.relayMedia(active) : [];
    const done = await caseText(active ? "media.added" : "media.sent", referral, chatId);
    return { notice: done, edit: { text: [done, options.safetyNet], buttons: mainMenu }, outboxIds: await outboxIds };
  }

  return { received, press };
}
