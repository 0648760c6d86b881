/**
 * Listening to answers. A staff member who looks after content records a voice note in Telegram and replies to it
 * with /recording <page>; the page (an article's first page, the main menu, the 🆘 screen) then shows
 * "🔊 Listen", which sends the recording with sendVoice. Recordings can also ship with Spean
 * (flows/audio/recordings.yaml): uploaded to the bot the first time, then sent by the file id Telegram gave.
 *
 * Only a staff member's own voice note can be attached: never a forwarded message, never a resident's voice that
 * the bot copied to a caseworker. A recording made with another bot token cannot play with this one; its button is
 * hidden (or the shipped file is uploaded again) rather than a press that fails.
 */
import type { Reply } from "../base/reply.ts";
import { text } from "../base/reply.ts";
import type { Locale } from "../base/locale.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, CommandInput, Feature, IncomingMessage } from "../features/contract.ts";
import type { Translator } from "../i18n/translator.ts";
import { localDigits } from "../khmer/digits.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxStore } from "../outbox/store.ts";
import { type RecordingsDesk, shownDay, shownLength } from "./desk.ts";
import { isRecordingTarget, type RecordingTarget, targetOfNode, titleKeyOf } from "./targets.ts";

export const RECORDINGS_TEXT_KEYS = [
  "recordings.listen",
  "recordings.sending",
  "recordings.gone",
  "recordings.caption",
  "recordings.screen_start",
  "recordings.screen_emergency",
  "recordings.usage",
  "recordings.not_a_reply",
  "recordings.not_own",
  "recordings.unknown_page",
  "recordings.attached",
  "recordings.replaced",
  "recordings.removed",
  "recordings.not_recorded",
  "recordings.list_title",
  "recordings.list_line",
  "recordings.list_missing",
  "recordings.list_other_bot",
  "recordings.staff_hint",
] as const;

export interface RecordingsFeatureOptions {
  desk: RecordingsDesk;
  outbox: OutboxStore;
  translator: Translator;
  /** Whether an article is sensitive (its recording is sent like its screens: no forwarding, no sound). */
  isSensitive: (articleId: string) => boolean;
  localeOf: (chatId: number) => Promise<Locale>;
}

const listenData = (target: RecordingTarget) => `${CALLBACK_PREFIXES.listen}:${target}`;

export function createRecordingsFeature(options: RecordingsFeatureOptions): Feature {
  const { desk, translator } = options;

  const titleOf = (target: RecordingTarget) => text(titleKeyOf(target));

  /** 🔊 Listen: sends the recording to the chat it was pressed in (whatever screen is showing now). */
  async function listen(input: ButtonInput): Promise<ButtonOutcome> {
    const target = input.data.slice(CALLBACK_PREFIXES.listen.length + 1);
    if (!isRecordingTarget(target)) return { notice: text("common.expired_short") };
    const recording = await desk.playable(target);
    if (!recording) return { notice: text("recordings.gone") };
    const { locale } = input;
    const caption = translator.render(
      locale,
      text("recordings.caption", {
        title: titleOf(target),
        speaker: recording.speaker,
        date: shownDay(recording.date, locale),
      }),
    );
    const sensitive = target.startsWith("article:") && options.isSensitive(target.slice("article:".length));
    const id = await options.outbox.enqueue({
      dedupeKey: `listen:${input.updateId}`,
      chatId: input.chatId,
      purpose: "reply",
      message: {
        kind: "voice",
        ...(recording.fileId ? { fileId: recording.fileId } : {}),
        ...(recording.upload ? { upload: recording.upload } : {}),
        caption,
        ...(sensitive ? { discreet: true } : {}),
      },
    });
    return { notice: text("recordings.sending"), outboxIds: id === undefined ? [] : [id] };
  }

  /** /recording <page> [initials], replying to one's own voice note; /recording remove <page>. */
  async function attach(input: CommandInput): Promise<Reply> {
    const [first = "", second = ""] = input.argument.split(/\s+/);
    if (first.toLowerCase() === "remove") return remove(input.userId, second);
    if (!first) return say("recordings.usage");
    const target = desk.target(first);
    if (!target) return say("recordings.unknown_page", { page: first });
    const voice = input.replyTo;
    if (!voice || voice.kind !== "voice" || !voice.voiceFileId) return say("recordings.not_a_reply");
    // A voice note the bot copied here (a resident's, relayed to a caseworker) is the bot's message, not theirs.
    if (voice.fromUserId !== input.userId || voice.forwarded) return say("recordings.not_own");
    const duration = voice.duration ?? 0;
    const done = await desk.attach(input.userId, {
      target,
      fileId: voice.voiceFileId,
      duration,
      ...(second ? { speaker: second } : {}),
    });
    if (!done.ok) return say(done.why === "too_short" ? "recordings.not_a_reply" : "recordings.not_own");
    return say(done.replaced ? "recordings.replaced" : "recordings.attached", {
      title: titleOf(target),
      length: shownLength(duration, input.locale),
      speaker: done.speaker,
    });
  }

  async function remove(userId: number, typed: string): Promise<Reply> {
    const target = typed ? desk.target(typed) : undefined;
    if (!target) return say("recordings.unknown_page", { page: typed || "?" });
    return (await desk.remove(userId, target))
      ? say("recordings.removed", { title: titleOf(target) })
      : say("recordings.not_recorded", { title: titleOf(target) });
  }

  /** /recordings: every page, recorded or not, so that what is missing can be recorded next. */
  async function list(input: CommandInput): Promise<Reply> {
    const pages = await desk.coverage();
    const lines = pages.map(({ target, recording }) => {
      const page = target.replace(/^(article|screen):/, "");
      return recording
        ? text("recordings.list_line", {
            page,
            title: titleOf(target),
            speaker: recording.speaker,
            date: shownDay(recording.date, input.locale),
          })
        : text("recordings.list_missing", { page, title: titleOf(target) });
    });
    const other = await desk.otherBots();
    return {
      text: [
        text("recordings.list_title", {
          recorded: localDigits(input.locale, pages.filter((p) => p.recording).length),
          total: localDigits(input.locale, pages.length),
          lines,
        }),
        ...(other > 0 ? [text("recordings.list_other_bot", { count: localDigits(input.locale, other) })] : []),
      ],
    };
  }

  /** A content member's own voice note: how to attach it (instead of "a caseworker can listen?"). */
  async function hint(message: IncomingMessage) {
    if (message.kind !== "voice" || message.chatId !== message.userId || !(await desk.mayManage(message.userId)))
      return undefined;
    if (message.voiceFileId) await desk.keepDraft(message.userId, message.voiceFileId, message.duration ?? 0);
    const outboxIds = await queueReply(options.outbox, translator, {
      chatId: message.chatId,
      dedupeKey: `recording-hint:${message.updateId}`,
      reply: say("recordings.staff_hint"),
      locale: await options.localeOf(message.chatId),
      purpose: "reply",
    });
    return { outboxIds, answerToo: false };
  }

  return {
    name: "recordings",
    textKeys: RECORDINGS_TEXT_KEYS,
    flow: {
      screenButtons: async ({ node }) => {
        const target = targetOfNode(node);
        return target && (await desk.playable(target))
          ? [{ label: text("recordings.listen"), data: listenData(target) }]
          : [];
      },
    },
    commands: [
      { name: "recording", where: "private", permission: "manage_recordings", run: attach },
      { name: "recordings", where: "private", permission: "manage_recordings", run: list },
    ],
    buttons: [{ prefix: CALLBACK_PREFIXES.listen, press: listen }],
    intercept: hint,
    purge: async (days) => ({ voiceDraftsForgotten: await desk.purgeDrafts(days) }),
  };
}

function say(key: string, params?: Parameters<typeof text>[1]): Reply {
  return { text: [text(key, params)] };
}
