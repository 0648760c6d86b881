/**
 * The contract between flows and the domain: named actions (flows call them in `action` nodes or on a choice)
 * and named content blocks (text appended to a screen). They may be asynchronous, because the stores they read and
 * write may be, but they do database work only: they run inside the unit of work that records the update, and
 * anything that must reach Telegram goes through the outbox.
 */
import type { Awaitable } from "../base/awaitable.ts";
import type { Locale } from "../base/locale.ts";
import type { Button, Reply, TextRef } from "../base/reply.ts";

/** Answers given in a flow, by variable name. */
export type Vars = Record<string, string | number>;

export interface ActionContext {
  chatId: number;
  locale: Locale;
  vars: Readonly<Vars>;
  params: Readonly<Record<string, string | number | boolean>>;
  now: Date;
}

export interface ActionResult {
  /** Chooses the node's `outcomes` entry; without one, the node's `next` applies. */
  outcome?: string;
  /** Variables to set (merged into the conversation). */
  vars?: Vars;
  /** Switches the user's language from now on. */
  locale?: Locale;
  replies?: Reply[];
}

export type Action = (ctx: ActionContext) => Awaitable<ActionResult>;

export interface BlockContext {
  chatId: number;
  locale: Locale;
  vars: Readonly<Vars>;
}

export type Block = (ctx: BlockContext) => Awaitable<TextRef[]>;

/** A choice computed when a screen is shown. `next` is a full node name ("flow.node"). */
export interface DynamicChoice {
  id: string;
  label: TextRef;
  next: string;
  action?: string;
  params?: Record<string, string | number | boolean>;
  /** Consecutive choices with the same group share a row of buttons. */
  group?: string;
}

export interface ChoiceContext {
  /** The screen being shown, "flow.node". */
  node: string;
  chatId: number;
  locale: Locale;
  vars: Readonly<Vars>;
}

export type ChoiceProvider = (ctx: ChoiceContext) => Awaitable<DynamicChoice[]>;

export interface FreeTextContext {
  chatId: number;
  locale: Locale;
  vars: Readonly<Vars>;
  /** The screen the text was typed on, "flow.node". */
  node: string;
  text: string;
  now: Date;
}

export interface ExternalButtonContext {
  chatId: number;
  locale: Locale;
  vars: Readonly<Vars>;
  data: string;
  now: Date;
}

/** Where typed text that matched no button leads (e.g. a search answer). */
export interface FreeTextResult {
  target: string;
  vars?: Vars;
  /** Said before the target screen. */
  replies?: Reply[];
}

/** What flows may call, by name. Content check refuses a flow that names anything missing here. */
export interface Registry {
  actions: ReadonlyMap<string, Action>;
  blocks: ReadonlyMap<string, Block>;
  /** Providers named by menus' `choices_from`. */
  choices: ReadonlyMap<string, ChoiceProvider>;
  /**
   * Typed text on a menu that matched no button and no navigation word. Without it, or when it returns undefined,
   * the menu is shown again with a "did not understand".
   */
  freeText?: (ctx: FreeTextContext) => Awaitable<FreeTextResult | undefined>;
  /**
   * Typed text taken for danger: what to offer under the emergency numbers (the knowledge feature's article the
   * search is sure of), or undefined. The engine keeps it in the `danger_offer` variable while the emergency screen is
   * on, for that screen's computed choices, and forgets it when the screen is left.
   */
  besideDanger?: (ctx: FreeTextContext) => Awaitable<string | undefined>;
  /**
   * A button press whose data the engine does not own (e.g. "I will come" on a reminder, a:...): where it leads,
   * whatever screen the chat is on. Undefined treats the press as an old button.
   */
  externalButton?: (ctx: ExternalButtonContext) => Awaitable<FreeTextResult | undefined>;
  /**
   * Buttons under a screen that the engine does not own (🔊 Listen where a recording exists), in a row above its
   * choices. Their presses go to the feature that owns their callback prefix, as on any feature button.
   */
  screenButtons?: (ctx: ChoiceContext) => Awaitable<Button[]>;
  /**
   * Nodes that only hooks lead to (typed text, external buttons, computed choices): content check counts them as
   * reachable and requires them to exist.
   */
  entries?: readonly string[];
  /**
   * What typed text means for the writer's safety. Checked first on every screen (menus and questions alike):
   * danger gets `dangerReplies` and the emergency screen; possible danger gets "Are you safe right now?" and, on
   * "I'm safe", the answer to what was typed; a request for a number gets the emergency numbers.
   */
  safety?: SafetyHooks;
}

/** The variable holding what `Registry.besideDanger` offered, while the emergency screen is on. */
export const DANGER_OFFER_VAR = "danger_offer";

export type SafetyOutcome = "danger" | "check" | "numbers" | "none";

export interface SafetyHooks {
  /**
   * `kinds`: what kinds of danger, most serious first (they decide which numbers come first). `guessed`: a request
   * for a number that only the statistical model heard (no rule found one).
   */
  assess: (text: string) => { outcome: SafetyOutcome; kinds: string[]; guessed?: boolean };
  /** Said before the emergency screen when a message is danger (the numbers that fit `kinds` first). */
  dangerReplies: (kinds: readonly string[]) => Reply[];
  /** The one-line safety net (117 / 119 and 🆘) added to "I can only read text" answers. */
  net?: TextRef;
}

/** set_locale: params.locale is "km" or "en". */
export const setLocale: Action = ({ params }) => {
  const locale = params.locale;
  return locale === "km" || locale === "en" ? { locale } : { outcome: "invalid" };
};
