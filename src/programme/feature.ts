/**
 * Programme results as a feature: in the bot, the anonymous survey "What does your community need?" (main menu);
 * its results pages live in the staff console (results.ts, http/console/results-*.ts).
 *
 * The survey is one message whose buttons carry the answers so far (needs.ts, SurveyStep); each press rewrites that
 * message. The rewrites are queued under the subject "needs_survey" and their outbox rows are erased as soon as they
 * are sent, so that no row keeps which needs a chat was choosing. Only the last press writes anything: the anonymous
 * answer, and a keyed hash of the chat for the once-a-quarter limit.
 */
import { toIsoDate } from "../base/calendar-date.ts";
import { todayIn } from "../base/local-time.ts";
import { type Button, type Reply, text } from "../base/reply.ts";
import type { Action } from "../engine/actions.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, Feature } from "../features/contract.ts";
import type { OutboxStore } from "../outbox/store.ts";
import type { Places } from "./definitions.ts";
import {
  countNeeds,
  decodeStep,
  encodeStep,
  KHAN_IDS,
  MEETING_ANSWERS,
  NEEDS,
  type NeedsStore,
  needsOf,
  quarterOf,
  type SurveyStep,
} from "./needs.ts";

export const NEEDS_SUBJECT = "needs_survey";
const PREFIX = CALLBACK_PREFIXES.needs;
/** "I live somewhere else": the survey is for the three khans only. */
const ELSEWHERE = `${PREFIX}:o`;

export const NEEDS_TEXT_KEYS = [
  "needs.intro",
  "needs.start",
  "needs.not_now",
  "needs.already",
  "needs.khan_prompt",
  "needs.elsewhere",
  "needs.elsewhere_done",
  "needs.sangkat_prompt",
  "needs.sangkat_not_sure",
  "needs.needs_prompt",
  "needs.needs_full",
  "needs.done",
  "needs.meeting_prompt",
  "needs.thanks",
  "needs.stopped",
  "needs.back",
  "needs.main_menu",
  "needs.place",
  "needs.chosen_short",
  "needs.mydata",
  ...NEEDS.map((n) => `needs.need_${n}`),
  ...MEETING_ANSWERS.map((m) => `needs.meeting_${m}`),
  "common.expired_short",
] as const;

export interface ProgrammeFeatureOptions {
  needs: NeedsStore;
  places: Places;
  outbox: OutboxStore;
  timeZone: string;
  now: () => number;
}

export function createProgrammeFeature(options: ProgrammeFeatureOptions): Feature {
  const { places } = options;
  const button = (label: Reply["text"][number], step: SurveyStep): Button => ({
    label,
    data: encodeStep(PREFIX, step),
  });
  const menuRow: Button[] = [{ label: text("needs.main_menu"), data: CALLBACK_PREFIXES.menu }];
  const khanOf = (i: number) => places.khan(KHAN_IDS[i] as string);
  const sangkatsIn = (i: number) => khanOf(i)?.sangkats.length ?? 0;
  const placeLabel = (place: { km: string; en: string }) => text("needs.place", { km: place.km, en: place.en });
  const quarterNow = () => quarterOf(todayIn(options.now(), options.timeZone));

  const intro: Reply = {
    text: [text("needs.intro")],
    buttons: [[button(text("needs.start"), { step: "khan" })], [button(text("needs.not_now"), { step: "stop" })]],
  };
  const already: Reply = { text: [text("needs.already")], buttons: [menuRow] };

  /** The screen for a step (save is handled by {@link press}). */
  function screen(step: Exclude<SurveyStep, { step: "save" }>): Reply {
    switch (step.step) {
      case "khan":
        return {
          text: [text("needs.khan_prompt")],
          buttons: [
            ...KHAN_IDS.map((_, i) => [
              button(placeLabel(khanOf(i) as { km: string; en: string }), { step: "sangkat", khan: i }),
            ]),
            [{ label: text("needs.elsewhere"), data: ELSEWHERE }],
          ],
        };
      case "sangkat": {
        const khan = khanOf(step.khan);
        const sangkats = khan?.sangkats ?? [];
        const rows: Button[][] = [];
        sangkats.forEach((s, i) => {
          const b = button(placeLabel(s), { step: "needs", khan: step.khan, sangkat: i, needs: 0 });
          if (i % 2 === 0) rows.push([b]);
          else (rows.at(-1) as Button[]).push(b);
        });
        return {
          text: [text("needs.sangkat_prompt", { khan: placeLabel(khan as { km: string; en: string }) })],
          buttons: [
            ...rows,
            [button(text("needs.sangkat_not_sure"), { step: "needs", khan: step.khan, sangkat: undefined, needs: 0 })],
            [button(text("needs.back"), { step: "khan" })],
          ],
        };
      }
      case "needs": {
        const full = countNeeds(step.needs) >= 3;
        const rows = NEEDS.flatMap((need, i) => {
          const chosen = (step.needs & (1 << i)) !== 0;
          if (full && !chosen) return [];
          const label = chosen
            ? text("needs.chosen_short", { need: text(`needs.need_${need}`) })
            : text(`needs.need_${need}`);
          return [[button(label, { ...step, needs: step.needs ^ (1 << i) })]];
        });
        return {
          text: [text(full ? "needs.needs_full" : "needs.needs_prompt")],
          buttons: [
            ...rows,
            ...(step.needs !== 0 ? [[button(text("needs.done"), { ...step, step: "meeting" })]] : []),
            [button(text("needs.back"), { step: "sangkat", khan: step.khan })],
          ],
        };
      }
      case "meeting":
        return {
          text: [text("needs.meeting_prompt")],
          buttons: [
            ...MEETING_ANSWERS.map((meeting) => [
              button(text(`needs.meeting_${meeting}`), { ...step, step: "save", meeting }),
            ]),
            [button(text("needs.back"), { ...step, step: "needs" })],
          ],
        };
      case "stop":
        return { text: [text("needs.stopped")], buttons: [menuRow] };
    }
  }

  async function press(input: ButtonInput): Promise<ButtonOutcome> {
    // Only in the resident's own private chat: the survey is never sent anywhere else.
    const elsewhere = input.data === ELSEWHERE;
    const step = elsewhere ? ({ step: "stop" } as const) : decodeStep(input.data, sangkatsIn);
    if (!step || input.chatId !== input.userId) return { notice: text("common.expired_short") };
    const subject = { kind: NEEDS_SUBJECT, id: 0 };
    if (elsewhere)
      return {
        notice: text("needs.elsewhere_done"),
        edit: { text: [text("needs.elsewhere_done")], buttons: [menuRow] },
        editSubject: subject,
      };
    const quarter = quarterNow();
    if (step.step !== "stop" && (await options.needs.hasAnswered(input.chatId, quarter)))
      return { notice: text("needs.already"), edit: already, editSubject: subject };
    if (step.step !== "save") {
      const reply = screen(step);
      return { notice: reply.text[0] as ReturnType<typeof text>, edit: reply, editSubject: subject };
    }
    const khan = KHAN_IDS[step.khan] as string;
    const sangkat = step.sangkat === undefined ? undefined : khanOf(step.khan)?.sangkats[step.sangkat]?.id;
    const saved = await options.needs.save(input.chatId, quarter, {
      date: toIsoDate(todayIn(options.now(), options.timeZone)),
      khan,
      sangkat,
      needs: needsOf(step.needs),
      meeting: step.meeting,
    });
    const reply: Reply = saved ? { text: [text("needs.thanks")], buttons: [menuRow] } : already;
    return { notice: reply.text[0] as ReturnType<typeof text>, edit: reply, editSubject: subject };
  }

  const start: Action = async ({ chatId }) => ({
    replies: [(await options.needs.hasAnswered(chatId, quarterNow())) ? already : intro],
  });

  return {
    name: "programme",
    textKeys: NEEDS_TEXT_KEYS,
    flow: { actions: new Map([["needs_start", start]]) },
    buttons: [{ prefix: PREFIX, press }],
    outboxHooks: new Map([
      [
        NEEDS_SUBJECT,
        {
          // Sent (or given up): the row held the answers so far; it goes.
          onSent: (row) => options.outbox.erase(row.id),
          onUnreachable: async (row) => {
            await options.outbox.erase(row.id);
            return true;
          },
        },
      ],
    ]),
    purge: async () => ({
      needsMarks: await options.needs.purgeMarks(quarterNow()),
      // Rewrites that failed instead of being sent still hold a chat's choices.
      needsRows: await options.outbox.eraseSettled(NEEDS_SUBJECT),
    }),
    describeData: async (chatId: number) =>
      (await options.needs.hasAnswered(chatId, quarterNow())) ? [text("needs.mydata")] : [],
    onForget: async (chatId: number) => {
      await options.needs.forget(chatId);
    },
  };
}
