/**
 * Residents' rights over their data: "What Spean keeps about me" (/mydata, or the button on the privacy screen)
 * lists, in the resident's language, what is held about this chat (counts and references, never content), and
 * "Erase everything" (/forget, or the button) asks once more, then erases it all (forget.ts). Also: the rows
 * queued by /forget are erased once settled, and the database's write-ahead log is checkpointed so that erased
 * data leaves the disk.
 */
import type { Locale } from "../base/locale.ts";
import { type Reply, type TextRef, text } from "../base/reply.ts";
import type { Action } from "../engine/actions.ts";
import { CALLBACK_PREFIXES, decodeVerbButton, encodeVerbButton } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, Feature } from "../features/contract.ts";
import { localDigits } from "../khmer/digits.ts";
import { FORGET_SUBJECT, type ForgetDeps, forgetChat } from "./forget.ts";

export interface PrivacyFeatureOptions extends ForgetDeps {
  retentionDays: number;
  /** Moves the write-ahead log into the database file and empties it (run after erasing). */
  checkpoint: () => void;
  /** Every feature, for its describeData. */
  features: () => readonly Feature[];
}

const VERBS = { ask: "a", yes: "y", no: "n" } as const;
type Verb = keyof typeof VERBS;
const button = (verb: Verb) => encodeVerbButton(CALLBACK_PREFIXES.privacy, VERBS[verb], 0);

/** Words the feature shows (content check makes sure both languages have them). */
export const PRIVACY_TEXT_KEYS = [
  "privacy.mydata_title",
  "privacy.language",
  "privacy.language_km",
  "privacy.language_en",
  "privacy.district",
  "privacy.log",
  "privacy.appointments",
  "privacy.case",
  "privacy.questions",
  "privacy.no_name",
  "privacy.forget_button",
  "privacy.forget_confirm",
  "privacy.forget_yes",
  "privacy.forget_no",
  "privacy.kept",
  "privacy.forgotten",
  "privacy.erased_short",
  "privacy.asked_short",
] as const;

export function createPrivacyFeature(options: PrivacyFeatureOptions): Feature {
  const { conversations, interactions, outbox } = options;
  let erasedSinceCheckpoint = false;

  /** What the platform itself holds: language, the district chosen, the conversation log. */
  async function platformLines(chatId: number, locale: Locale): Promise<TextRef[]> {
    const lines = [text("privacy.language", { language: text(`privacy.language_${locale}`) })];
    const district = await conversations.districtOf(chatId);
    if (district) lines.push(text("privacy.district", { district: text(`help.district_${district}`) }));
    const log = await interactions.countOf(chatId);
    const days = localDigits(locale, options.retentionDays);
    lines.push(text("privacy.log", { entries: localDigits(locale, log.entries), retention_days: days }));
    return lines;
  }

  async function describe(chatId: number, locale: Locale): Promise<Reply> {
    const lines = [text("privacy.mydata_title"), ...(await platformLines(chatId, locale))];
    for (const feature of options.features()) lines.push(...((await feature.describeData?.(chatId, locale)) ?? []));
    lines.push(text("privacy.no_name"));
    return {
      text: [text("common.lines", { lines })],
      buttons: [[{ label: text("privacy.forget_button"), data: button("ask") }]],
      discreet: true,
    };
  }

  const confirmation: Reply = {
    text: [text("privacy.forget_confirm")],
    buttons: [
      [{ label: text("privacy.forget_yes"), data: button("yes") }],
      [{ label: text("privacy.forget_no"), data: button("no") }],
    ],
    discreet: true,
  };

  async function press(input: ButtonInput): Promise<ButtonOutcome> {
    const decoded = decodeVerbButton(CALLBACK_PREFIXES.privacy, input.data);
    const verb = (Object.keys(VERBS) as Verb[]).find((v) => VERBS[v] === decoded?.code);
    // Only in the resident's own private chat: a button of this kind is never sent anywhere else.
    if (!verb || input.chatId !== input.userId) return { notice: text("common.expired_short") };
    if (verb === "ask") return { notice: text("privacy.asked_short"), edit: confirmation };
    if (verb === "no") return { notice: text("privacy.kept"), edit: { text: [text("privacy.kept")] } };
    const { queued, staffNotices } = await forgetChat(options, { chatId: input.chatId, updateId: input.updateId });
    erasedSinceCheckpoint = true;
    return { notice: text("privacy.erased_short"), outboxIds: [...queued, ...staffNotices], afterCommit: checkpoint };
  }

  function checkpoint(): void {
    if (!erasedSinceCheckpoint) return;
    erasedSinceCheckpoint = false;
    options.checkpoint();
  }

  const describeAction: Action = async ({ chatId, locale }) => ({ replies: [await describe(chatId, locale)] });
  const askAction: Action = () => ({ replies: [confirmation] });

  return {
    name: "privacy",
    textKeys: PRIVACY_TEXT_KEYS,
    flow: {
      actions: new Map([
        ["privacy_describe", describeAction],
        ["privacy_ask_forget", askAction],
      ]),
    },
    commands: [
      { name: "mydata", where: "private", run: ({ chatId, locale }) => describe(chatId, locale) },
      { name: "forget", where: "private", run: () => confirmation },
    ],
    buttons: [{ prefix: CALLBACK_PREFIXES.privacy, press }],
    outboxHooks: new Map([
      [
        FORGET_SUBJECT,
        {
          // Sent: neither the row nor the remembered message id may keep the chat's id.
          onSent: async (row, messageId) => {
            if (messageId !== undefined) await interactions.forgetMessage(row.chatId, messageId);
            await outbox.erase(row.id);
            erasedSinceCheckpoint = true;
          },
        },
      ],
    ]),
    jobs: [
      {
        // Rows of /forget that failed or were cancelled instead of sent; then the log leaves the disk.
        name: "privacy-sweep",
        schedule: "* * * * *",
        run: async () => {
          const erased = await outbox.eraseSettled(FORGET_SUBJECT);
          if (erased > 0) erasedSinceCheckpoint = true;
          return { erased };
        },
        afterCommit: checkpoint,
      },
    ],
  };
}
