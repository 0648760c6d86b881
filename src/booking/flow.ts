/**
 * "Book counselling" and "My appointments" as the flow engine sees them (flows/booking.yaml): actions that keep
 * the resident's choices in conversation variables, blocks and button providers that show free days and times,
 * typed days and times as an alternative to the buttons, and the buttons on reminders. The booking itself is the
 * desk's; this file only translates between screens and the desk.
 */
import type {
  Action,
  ActionResult,
  Block,
  ChoiceProvider,
  DynamicChoice,
  ExternalButtonContext,
  FreeTextContext,
  FreeTextResult,
  Vars,
} from "../engine/actions.ts";
import type { Locale } from "../base/locale.ts";
import { type Reply, type TextRef, text } from "../base/reply.ts";
import { type CalendarDate, compareDates, toIsoDate } from "../base/calendar-date.ts";
import { localDigits } from "../khmer/digits.ts";
import { formatClock, formatDate, formatDayShort, parseTypedWhen } from "../khmer/when.ts";
import { instantAt, todayIn } from "../base/local-time.ts";
import { type BookingDesk, parseResidentButton } from "./desk.ts";
import { type BookingRequest, isSite, isTopic, SITES, TOPICS } from "./model.ts";
import type { FreeSlot, SlotFinder } from "./slots.ts";

export interface BookingFlowOptions {
  desk: BookingDesk;
  slots: SlotFinder;
  timeZone: string;
}

/** Words the feature shows outside the flow files (content check makes sure both languages have them). */
export const BOOKING_TEXT_KEYS = [
  ...TOPICS.map((t) => `booking.topic_${t}`),
  ...SITES.map((s) => `booking.site_${s}`),
  "booking.for_self",
  "booking.for_family",
  "booking.card_when",
  "booking.card_place",
  "booking.card_topic",
  "booking.card_who",
  "booking.card_phone",
  "booking.card_moving_from",
  "booking.coming",
  "booking.coming_phone",
  "booking.reschedule",
  "booking.cancel",
  "booking.reminder",
  "booking.reminder_late",
  "booking.no_days",
  "booking.mine_empty",
  "booking.mine_item",
  "booking.when_not_understood",
  "booking.when_impossible_date",
  "booking.when_impossible_time",
  "booking.when_past",
  "booking.when_need_day",
  "booking.when_day_closed",
  "booking.when_day_too_far",
  "booking.when_day_full",
  "booking.staff_new",
  "booking.staff_moved_here",
  "booking.staff_moved_away",
  "booking.staff_cancelled",
  "booking.staff_forgotten",
  "booking.staff_reminder_missed",
  "booking.staff_unreachable",
  "booking.staff_chat_reminder_missed",
  "booking.staff_chat_unreachable",
  "booking.staff_card_when",
  "booking.staff_card_ref",
  "booking.flag_unreachable",
  "booking.flag_reminder_missed",
  "booking.flag_reminders_off",
  "booking.staff_day_heading",
  "booking.staff_day_empty",
  "booking.mark_attended",
  "booking.mark_no_show",
  "booking.marked_attended",
  "booking.marked_no_show",
  "booking.marked_attended_short",
  "booking.marked_no_show_short",
  "booking.show_phone",
  "booking.staff_phone",
  "booking.staff_no_phone",
  "booking.staff_not_allowed",
  "booking.staff_already_marked",
  "booking.staff_not_started",
  "booking.book_new",
  "booking.other_place",
  "booking.other_day",
];

/** The conversation variables of a booking in progress; all cleared when a new one starts or one is made. */
const CLEARED: Vars = {
  bk_topic: "",
  bk_site: "",
  bk_day: "",
  bk_start: "",
  bk_want: "",
  bk_who: "",
  bk_name: "",
  bk_phone: "",
  bk_move: "",
  bk_done: "",
};
/** Screens where a typed day or time is understood. */
const WHEN_SCREENS = new Set(["booking.day", "booking.time", "booking.taken", "booking.nearby"]);
/** At most this many appointments are listed in "My appointments" (buttons stay readable). */
const MINE_MAX = 8;

export function createBookingFlow(options: BookingFlowOptions) {
  const { desk, slots, timeZone } = options;

  const topicOf = (vars: Readonly<Vars>) => (isTopic(vars.bk_topic) ? vars.bk_topic : undefined);
  const siteOf = (vars: Readonly<Vars>) => (isSite(vars.bk_site) ? vars.bk_site : undefined);
  const dayOf = (vars: Readonly<Vars>): CalendarDate | undefined => {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(String(vars.bk_day ?? ""));
    return match ? { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) } : undefined;
  };
  const numberVar = (vars: Readonly<Vars>, name: string) =>
    typeof vars[name] === "number" ? (vars[name] as number) : undefined;

  function request(chatId: number, locale: Locale, vars: Readonly<Vars>): BookingRequest | undefined {
    const topic = topicOf(vars);
    const site = siteOf(vars);
    const startsAt = numberVar(vars, "bk_start");
    const forWhom = vars.bk_who === "family" ? "family" : vars.bk_who === "self" ? "self" : undefined;
    if (!topic || !site || startsAt === undefined || !forWhom) return undefined;
    if (forWhom === "family" && !vars.bk_name) return undefined;
    if (site === "phone" && !vars.bk_phone) return undefined;
    return {
      chatId,
      topic,
      site,
      startsAt,
      forWhom,
      locale,
      ...(forWhom === "family" ? { familyName: String(vars.bk_name) } : {}),
      ...(site === "phone" ? { phone: String(vars.bk_phone) } : {}),
    };
  }

  // ---- actions ----

  const begin: Action = () => ({ vars: CLEARED });

  const setTopic: Action = ({ params }) =>
    isTopic(params.topic) ? { vars: { bk_topic: params.topic } } : { outcome: "invalid" };
  const setSite: Action = ({ params }) =>
    isSite(params.site) ? { vars: { bk_site: params.site } } : { outcome: "invalid" };
  const setDay: Action = ({ params }) => ({ vars: { bk_day: String(params.day) } });
  const setStart: Action = ({ params }) => ({ vars: { bk_start: Number(params.start), bk_day: String(params.day) } });
  const setWho: Action = ({ params }) => {
    const vars: Vars = params.who === "family" ? { bk_who: "family" } : { bk_who: "self", bk_name: "" };
    return { vars };
  };
  /** Where to go once a time is chosen: a move goes straight to its summary; a new booking asks who it is for. */
  const afterTime: Action = ({ vars }) => ({ outcome: vars.bk_move ? "move" : "new" });
  const needsPhone: Action = ({ vars }) => ({ outcome: vars.bk_site === "phone" ? "phone" : "none" });

  const booked = (id: number): ActionResult => ({ vars: { ...CLEARED, bk_done: id } });
  const taken = (startsAt: number): ActionResult => ({ outcome: "taken", vars: { bk_want: startsAt } });

  const book: Action = async ({ chatId, locale, vars }) => {
    const wanted = request(chatId, locale, vars);
    const moving = numberVar(vars, "bk_move");
    if (moving !== undefined) {
      const startsAt = numberVar(vars, "bk_start");
      if (startsAt === undefined) return { outcome: "incomplete" };
      const result = await desk.reschedule(chatId, moving, startsAt);
      if (!result) return { outcome: "gone" };
      return result.ok ? booked(result.appointment.id) : taken(startsAt);
    }
    if (!wanted) return { outcome: "incomplete" };
    const result = await desk.book(wanted);
    return result.ok ? booked(result.appointment.id) : taken(wanted.startsAt);
  };

  const select: Action = ({ params }) => ({ vars: { bk_selected: Number(params.id) } });

  /** Starts moving the selected appointment: same topic, place and person; a new day and time. */
  const beginMove: Action = async ({ chatId, vars }) => {
    const a = await desk.ownBooked(chatId, Number(vars.bk_selected));
    if (!a) return { outcome: "gone" };
    return {
      vars: {
        ...CLEARED,
        bk_move: a.id,
        bk_topic: a.topic,
        bk_site: a.site,
        bk_who: a.forWhom,
        bk_name: a.familyName ?? "",
        bk_phone: a.phone ?? "",
      },
    };
  };

  const cancel: Action = async ({ chatId, vars }) =>
    (await desk.cancel(chatId, Number(vars.bk_selected))) ? {} : { outcome: "gone" };
  const coming: Action = async ({ chatId, vars }) =>
    (await desk.confirmComing(chatId, Number(vars.bk_selected))) ? {} : { outcome: "gone" };

  // ---- what screens show ----

  function slotChoice(slot: FreeSlot, locale: Locale, withDay: boolean, index: number, next: string): DynamicChoice {
    const clock = formatClock(locale, slot.minute);
    const label = withDay ? `${formatDayShort(locale, slot.date)} · ${clock}` : clock;
    return {
      id: `t${index}`,
      label: text("common.lines", { lines: label }),
      next,
      action: "booking_set_start",
      params: { start: slot.startsAt, day: toIsoDate(slot.date) },
      // Three times to a row; days-and-times one to a row.
      ...(withDay ? {} : { group: `r${Math.floor(index / 3)}` }),
    };
  }

  const dayChoices: ChoiceProvider = async ({ locale, vars }) => {
    const topic = topicOf(vars);
    const site = siteOf(vars);
    if (!topic || !site) return [];
    return (await slots.freeDays(topic, site)).map((date, i) => ({
      id: `d${i}`,
      label: text("common.lines", { lines: formatDayShort(locale, date) }),
      next: "booking.time",
      action: "booking_set_day",
      params: { day: toIsoDate(date) },
      group: `r${Math.floor(i / 2)}`,
    }));
  };

  const timeChoices: ChoiceProvider = async ({ locale, vars }) => {
    const topic = topicOf(vars);
    const site = siteOf(vars);
    const day = dayOf(vars);
    if (!topic || !site || !day) return [];
    return (await slots.slotsOn(topic, site, day)).map((slot, i) =>
      slotChoice(slot, locale, false, i, "booking.after_time"),
    );
  };

  const nearestChoices: ChoiceProvider = async ({ locale, vars }) => {
    const topic = topicOf(vars);
    const site = siteOf(vars);
    const wanted = numberVar(vars, "bk_want");
    if (!topic || !site || wanted === undefined) return [];
    return (await slots.nearest(topic, site, wanted)).map((slot, i) =>
      slotChoice(slot, locale, true, i, "booking.after_time"),
    );
  };

  const mineChoices: ChoiceProvider = async ({ chatId, locale }) => [
    ...(await desk.upcoming(chatId)).slice(0, MINE_MAX).map((a, i) => ({
      id: `a${i}`,
      label: text("booking.mine_item", { n: localDigits(locale, i + 1), when: desk.when(locale, a.startsAt) }),
      next: "booking.manage",
      action: "booking_select",
      params: { id: a.id },
    })),
    { id: "new", label: text("booking.book_new"), next: "booking.start" },
  ];

  /** Days, plus a way back to the places when there are none (or none that suit). */
  const dayChoicesWithPlace: ChoiceProvider = async (ctx) => [
    ...(await dayChoices(ctx)),
    { id: "place", label: text("booking.other_place"), next: "booking.site" },
  ];
  const nearestWithDays: ChoiceProvider = async (ctx) => [
    ...(await nearestChoices(ctx)),
    { id: "days", label: text("booking.other_day"), next: "booking.day" },
  ];

  // ---- blocks ----

  /** Shown under the day question when no day has a free slot for this topic and place. */
  const noDaysHint: Block = async ({ vars }) => {
    const topic = topicOf(vars);
    const site = siteOf(vars);
    return topic && site && (await slots.freeDays(topic, site)).length === 0 ? [text("booking.no_days")] : [];
  };

  const dayHeading: Block = ({ locale, vars }) => {
    const day = dayOf(vars);
    return day ? [text("common.lines", { lines: formatDate(locale, day) })] : [];
  };

  /** The booking being made (or the move), for the resident to confirm. */
  const draft: Block = async ({ chatId, locale, vars }) => {
    const startsAt = numberVar(vars, "bk_start");
    const moving = numberVar(vars, "bk_move");
    const old = moving === undefined ? undefined : await desk.ownBooked(chatId, moving);
    const lines: TextRef[] = [
      ...(old ? [text("booking.card_moving_from", { when: desk.when(locale, old.startsAt) })] : []),
      ...(startsAt !== undefined ? [text("booking.card_when", { when: desk.when(locale, startsAt) })] : []),
      text("booking.card_place", { place: text(`booking.site_${String(vars.bk_site)}`) }),
      text("booking.card_topic", { topic: text(`booking.topic_${String(vars.bk_topic)}`) }),
      text("booking.card_who", {
        who:
          vars.bk_who === "family"
            ? text("booking.for_family", { name: String(vars.bk_name) })
            : text("booking.for_self"),
      }),
      ...(vars.bk_site === "phone" && vars.bk_phone
        ? [text("booking.card_phone", { phone: localDigits(locale, String(vars.bk_phone)) })]
        : []),
    ];
    return [text("common.lines", { lines })];
  };

  const cardOf = async (chatId: number, locale: Locale, id: unknown): Promise<TextRef[]> => {
    const a = await desk.ownBooked(chatId, Number(id));
    return a ? [text("common.lines", { lines: desk.residentCard(a, locale, true) })] : [];
  };

  const done: Block = ({ chatId, locale, vars }) => cardOf(chatId, locale, vars.bk_done);
  const selected: Block = ({ chatId, locale, vars }) => cardOf(chatId, locale, vars.bk_selected);

  const mineList: Block = async ({ chatId }) =>
    (await desk.upcoming(chatId)).length === 0 ? [text("booking.mine_empty")] : [];

  // ---- typed days and times ----

  function say(key: string, params?: Record<string, string>): Reply {
    return { text: [text(key, params)] };
  }

  /** A typed day and/or time on the day, time or nearest-times screens. */
  async function typedWhen(ctx: FreeTextContext): Promise<FreeTextResult | undefined> {
    if (!WHEN_SCREENS.has(ctx.node)) return undefined;
    const stay = (key: string, params?: Record<string, string>): FreeTextResult => ({
      target: ctx.node,
      replies: [say(key, params)],
    });
    const topic = topicOf(ctx.vars);
    const site = siteOf(ctx.vars);
    if (!topic || !site) return undefined;
    const at = ctx.now.getTime();
    const today = todayIn(at, timeZone);
    const typed = parseTypedWhen(ctx.text, today);
    if (!typed) return stay("booking.when_not_understood");
    if ("impossible" in typed)
      return stay(typed.impossible === "date" ? "booking.when_impossible_date" : "booking.when_impossible_time");
    const date = typed.date ?? (ctx.node === "booking.day" ? undefined : dayOf(ctx.vars));
    if (!date) return stay("booking.when_need_day");
    if (compareDates(date, today) < 0) return stay("booking.when_past");
    const dayName = formatDate(ctx.locale, date);
    if (typed.minute === undefined) {
      const bookable = slots.isBookableDay(date);
      if (bookable === "closed")
        return { target: "booking.day", replies: [say("booking.when_day_closed", { day: dayName })] };
      if (bookable === "too_far") return { target: "booking.day", replies: [say("booking.when_day_too_far")] };
      if ((await slots.slotsOn(topic, site, date)).length === 0)
        return { target: "booking.day", replies: [say("booking.when_day_full", { day: dayName })] };
      return { target: "booking.time", vars: { bk_day: toIsoDate(date) } };
    }
    const startsAt = instantAt(date, typed.minute, timeZone);
    if (startsAt <= at) return stay("booking.when_past");
    if (await slots.slotAt(topic, site, startsAt))
      return { target: "booking.after_time", vars: { bk_day: toIsoDate(date), bk_start: startsAt } };
    return { target: "booking.nearby", vars: { bk_want: startsAt } };
  }

  // ---- buttons on reminders ----

  async function reminderButton(ctx: ExternalButtonContext): Promise<FreeTextResult | undefined> {
    const button = parseResidentButton(ctx.data);
    if (!button) return undefined;
    const vars = { bk_selected: button.appointmentId };
    if (!(await desk.ownBooked(ctx.chatId, button.appointmentId))) return { target: "booking.gone", vars };
    const target = { coming: "booking.coming", reschedule: "booking.move", cancel: "booking.cancel_confirm" }[
      button.verb
    ];
    return { target, vars };
  }

  return {
    actions: new Map<string, Action>([
      ["booking_begin", begin],
      ["booking_set_topic", setTopic],
      ["booking_set_site", setSite],
      ["booking_set_day", setDay],
      ["booking_set_start", setStart],
      ["booking_set_who", setWho],
      ["booking_after_time", afterTime],
      ["booking_needs_phone", needsPhone],
      ["booking_book", book],
      ["booking_select", select],
      ["booking_begin_move", beginMove],
      ["booking_cancel", cancel],
      ["booking_coming", coming],
    ]),
    blocks: new Map<string, Block>([
      ["booking_no_days", noDaysHint],
      ["booking_day_heading", dayHeading],
      ["booking_draft", draft],
      ["booking_done", done],
      ["booking_selected", selected],
      ["booking_mine", mineList],
    ]),
    choices: new Map<string, ChoiceProvider>([
      ["booking_days", dayChoicesWithPlace],
      ["booking_times", timeChoices],
      ["booking_nearest", nearestWithDays],
      ["booking_mine", mineChoices],
    ]),
    freeText: typedWhen,
    externalButton: reminderButton,
    /** Reached only by computed buttons, typed text and reminder buttons. */
    entries: [
      "booking.after_time",
      "booking.manage",
      "booking.coming",
      "booking.move",
      "booking.cancel_confirm",
      "booking.gone",
      "booking.nearby",
      "booking.time",
    ],
  };
}
