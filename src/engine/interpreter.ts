/**
 * The flow interpreter: given where a chat is and what the user did, it decides the next state and what to say.
 * Pure apart from the actions it calls; it knows nothing of Telegram, HTTP or the database.
 */
import { SpeanError } from "../base/errors.ts";
import { normalizeForMatch } from "../khmer/text.ts";
import { parseWholeNumber } from "../khmer/digits.ts";
import {
  DANGER_OFFER_VAR,
  type DynamicChoice,
  type FreeTextContext,
  type FreeTextResult,
  type Registry,
  type Vars,
} from "./actions.ts";
import type { Locale } from "../base/locale.ts";
import { checkAnswer } from "./answers.ts";
import { decodeCallback, encodeCallback } from "./callback-data.ts";
import type { FlowNode, ScreenNode } from "./flow-schema.ts";
import { ENTRY, type FlowSet, findNode, type NodeRef, resolveTarget, splitRef } from "./flows.ts";
import { type Button, type Reply, type TextRef, text } from "../base/reply.ts";
import { DEFAULT_TIME_ZONE } from "../base/time.ts";

/** What the user did, already extracted from the Telegram update. */
export type Input =
  | { kind: "command"; name: string }
  | { kind: "text"; text: string }
  | { kind: "button"; data: string }
  | { kind: "contact"; phone: string }
  | { kind: "unsupported"; what: string };

export interface ConversationState {
  node: NodeRef;
  /** Increases with every screen shown; buttons carry it. */
  step: number;
  /** Earlier screens, most recent last, for Back. */
  stack: NodeRef[];
  vars: Vars;
}

export interface Turn {
  state: ConversationState;
  replies: Reply[];
  /** Set when the user chose a language in this turn. */
  locale?: Locale;
  /** Short text for the button press itself (Telegram shows it as a toast). */
  notice?: TextRef;
}

export interface TurnContext {
  chatId: number;
  locale: Locale;
  now: Date;
}

export interface EngineOptions {
  flows: FlowSet;
  registry: Registry;
  /** The text a label has in every language, for matching typed text to buttons. */
  labelsOf: (label: TextRef) => string[];
  /** Default Asia/Phnom_Penh. */
  timeZone?: string;
}

export interface Engine {
  /** Handles one input. `state` is undefined for a chat the bot has never seen (it gets the welcome). */
  handle(state: ConversationState | undefined, input: Input, ctx: TurnContext): Promise<Turn>;
}

/** Commands that work from any state, and where they lead. */
export const GLOBAL_COMMANDS: Readonly<Record<string, NodeRef>> = {
  start: ENTRY.welcome,
  menu: ENTRY.menu,
  help: ENTRY.help,
  language: ENTRY.language,
  emergency: ENTRY.emergency,
};

const MAX_NODES_PER_TURN = 50;
const MAX_STACK = 20;

export const NAV_LABELS = { back: "common.back", menu: "common.main_menu", emergency: "common.emergency" } as const;
/** The 🚪 button on discreet screens (quick exit). */
export const EXIT_LABEL = "common.quick_exit";

/** Creates the interpreter over a loaded flow set and the registry of actions and blocks. */
export function createEngine(options: EngineOptions): Engine {
  const { flows, registry, labelsOf } = options;
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;

  async function handle(previous: ConversationState | undefined, input: Input, ctx: TurnContext): Promise<Turn> {
    const turn = await handleInput(previous, input, ctx);
    return { ...turn, state: forgetHeldMessage(turn.state) };
  }

  async function handleInput(previous: ConversationState | undefined, input: Input, ctx: TurnContext): Promise<Turn> {
    if (!previous) {
      // Someone in danger may write before ever seeing the welcome: the emergency numbers come first then too.
      const screened = input.kind === "text" ? await screen(fresh(), input.text, ctx) : undefined;
      if (screened) return screened;
      // A button on a message sent before any conversation (a reminder) still does what it says.
      const external =
        input.kind === "button" && !decodeCallback(input.data)
          ? await registry.externalButton?.({
              chatId: ctx.chatId,
              locale: ctx.locale,
              vars: {},
              data: input.data,
              now: ctx.now,
            })
          : undefined;
      if (external) return follow(fresh(), external, ctx);
      return go(fresh(), ENTRY.welcome, ctx, { resetStack: true });
    }
    const current = findNode(flows, previous.node);
    if (!current || !isScreen(current)) {
      // The content changed under this conversation (a node was renamed or removed): start again at the menu.
      const turn = await go(fresh(previous.vars), ENTRY.menu, ctx, { resetStack: true });
      return prepend(turn, say("common.menu_changed"));
    }
    switch (input.kind) {
      case "command":
        return onCommand(previous, current, input.name, ctx);
      case "button":
        return onButton(previous, current, input.data, ctx);
      case "text":
        return onText(previous, current, input.text, ctx);
      case "contact":
        if (current.kind === "ask" && current.input === "phone")
          return onText(previous, current, input.phone, ctx, { screened: true });
        return withNet(await again(previous, current, ctx, "common.unsupported"));
      case "unsupported":
        return withNet(await again(previous, current, ctx, "common.unsupported"));
    }
  }

  function onCommand(state: ConversationState, current: ScreenNode, name: string, ctx: TurnContext): Promise<Turn> {
    const target = GLOBAL_COMMANDS[name];
    if (!target) return again(state, current, ctx, "common.unknown_command");
    return go(state, target, ctx, { resetStack: target === ENTRY.welcome || target === ENTRY.menu });
  }

  async function onButton(
    state: ConversationState,
    current: ScreenNode,
    data: string,
    ctx: TurnContext,
  ): Promise<Turn> {
    const action = decodeCallback(data);
    if (!action) {
      const result = await registry.externalButton?.({
        chatId: ctx.chatId,
        locale: ctx.locale,
        vars: state.vars,
        data,
        now: ctx.now,
      });
      return result ? follow(state, result, ctx) : stale(state, current, ctx);
    }
    switch (action.kind) {
      case "menu":
        return go(state, ENTRY.menu, ctx, { resetStack: true });
      case "emergency":
        return go(state, ENTRY.emergency, ctx, {});
      case "exit":
        // Quick exit is handled before the engine (it deletes messages); if it ever reaches here, go home.
        return go(state, ENTRY.menu, ctx, { resetStack: true });
      case "back":
        return action.step === state.step ? back(state, ctx) : stale(state, current, ctx);
      case "choice": {
        const choice = (await choicesOf(state.node, current, state.vars, ctx)).find((c) => c.id === action.choice);
        if (action.step !== state.step || !choice) return stale(state, current, ctx);
        return choose(state, choice, ctx);
      }
    }
  }

  async function onText(
    state: ConversationState,
    current: ScreenNode,
    typed: string,
    ctx: TurnContext,
    opts: { screened?: boolean } = {},
  ): Promise<Turn> {
    const screened = opts.screened ? undefined : await screen(state, typed, ctx, current);
    if (screened) return screened;
    if (current.kind === "ask") {
      // The navigation buttons work on questions too (on a phone question they are reply-keyboard buttons).
      const nav = matchNav(typed);
      if (nav === "menu") return go(state, ENTRY.menu, ctx, { resetStack: true });
      if (nav === "emergency") return go(state, ENTRY.emergency, ctx, {});
      if (nav === "back") return back(state, ctx);
      const answer = checkAnswer(current, typed, ctx.now, timeZone);
      if (!answer.ok) return again(state, current, ctx, current.invalid);
      const withAnswer = { ...state, vars: { ...state.vars, [current.var]: answer.value } };
      return go(withAnswer, resolveTarget(flowOf(state.node), current.next), ctx, {});
    }
    const choice = matchChoice(await choicesOf(state.node, current, state.vars, ctx), typed);
    if (choice) return choose(state, choice, ctx);
    const nav = matchNav(typed);
    if (nav === "menu") return go(state, ENTRY.menu, ctx, { resetStack: true });
    if (nav === "emergency") return go(state, ENTRY.emergency, ctx, {});
    if (nav === "back" && !current.home) return back(state, ctx);
    const result = await registry.freeText?.(typedContext(state, typed, ctx));
    if (result) return follow(state, result, ctx);
    return again(state, current, ctx, "common.not_understood");
  }

  /**
   * Reads typed text for danger first. Danger: the lead for its kind, then the emergency screen. Possible danger:
   * "Are you safe right now?", holding the text (in the encrypted conversation) to answer it on "I'm safe". A
   * request for a number: the emergency screen. Otherwise undefined: the text is handled as usual.
   */
  async function screen(
    state: ConversationState,
    typed: string,
    ctx: TurnContext,
    current?: ScreenNode,
  ): Promise<Turn | undefined> {
    const safety = registry.safety;
    if (!safety) return undefined;
    const { outcome, kinds, guessed } = safety.assess(typed);
    const vars = kinds.length > 0 ? { ...state.vars, safety_kind: kinds.join(",") } : state.vars;
    switch (outcome) {
      case "danger": {
        const offer = await registry.besideDanger?.(typedContext(state, typed, ctx));
        const withOffer = offer === undefined ? vars : { ...vars, [DANGER_OFFER_VAR]: offer };
        const turn = await go({ ...state, vars: withOffer }, ENTRY.emergency, ctx, {});
        return { ...turn, replies: [...safety.dangerReplies(kinds), ...turn.replies] };
      }
      case "check":
        return go(
          { ...state, vars: { ...vars, safety_text: typed, safety_from: state.node } },
          ENTRY.safetyCheckIn,
          ctx,
          {},
        );
      case "numbers":
        // On a question waiting for a typed answer, a request only the model heard ("ហៅខ្ញុំផង", call me, typed
        // where the phone number goes) is taken as the answer: the question's own check says what is wrong.
        if (guessed && current?.kind === "ask") return undefined;
        return go(state, ENTRY.emergency, ctx, {});
      case "none":
        return undefined;
    }
  }

  /** "I'm safe": answers the held message on the screen it was typed on, without screening it again. */
  function resume(state: ConversationState, ctx: TurnContext): Promise<Turn> {
    const typed = String(state.vars.safety_text ?? "");
    const from = String(state.vars.safety_from ?? ENTRY.menu);
    const node = findNode(flows, from);
    const vars = withoutHeldMessage(state.vars);
    if (!typed || !node || !isScreen(node)) return go({ ...state, vars }, ENTRY.menu, ctx, { resetStack: true });
    return onText({ ...state, node: from, stack: state.stack.filter((ref) => ref !== from), vars }, node, typed, ctx, {
      screened: true,
    });
  }

  /**
   * The held message and the kind of danger are kept only while the check-in question is on screen, and what was
   * offered beside the danger only while the emergency screen is.
   */
  function forgetHeldMessage(state: ConversationState): ConversationState {
    const forget = [
      ...(state.node === ENTRY.safetyCheck ? [] : SAFETY_VARS),
      ...(state.node === ENTRY.emergency ? [] : [DANGER_OFFER_VAR]),
    ];
    return forget.some((v) => v in state.vars) ? { ...state, vars: without(state.vars, forget) } : state;
  }

  function withNet(turn: Turn): Turn {
    const net = registry.safety?.net;
    if (!net) return turn;
    const [first, ...rest] = turn.replies;
    return first ? { ...turn, replies: [{ ...first, text: [...first.text, net] }, ...rest] } : turn;
  }

  /** Goes where a registry hook said, saying its replies first. */
  async function follow(state: ConversationState, result: FreeTextResult, ctx: TurnContext): Promise<Turn> {
    const turn = await go({ ...state, vars: { ...state.vars, ...result.vars } }, result.target, ctx, {});
    return { ...turn, replies: [...(result.replies ?? []), ...turn.replies] };
  }

  /** A menu's choices, static and computed, with `next` as full node names. */
  async function choicesOf(
    ref: NodeRef,
    node: ScreenNode,
    vars: Vars,
    ctx: { chatId: number; locale: Locale },
  ): Promise<DynamicChoice[]> {
    if (node.kind !== "menu") return [];
    const fixed = node.choices.map((c) => ({ ...c, label: text(c.label), next: resolveTarget(flowOf(ref), c.next) }));
    if (!node.choices_from) return fixed;
    const provider = registry.choices.get(node.choices_from);
    if (!provider)
      throw new SpeanError("SPEAN_FLOW_INVALID", "unknown choice provider", { provider: node.choices_from });
    return [...fixed, ...(await provider({ node: ref, chatId: ctx.chatId, locale: ctx.locale, vars }))];
  }

  async function choose(state: ConversationState, choice: DynamicChoice, ctx: TurnContext): Promise<Turn> {
    let working = state;
    let locale: Locale | undefined;
    const replies: Reply[] = [];
    if (choice.action) {
      const result = await runAction(choice.action, choice.params ?? {}, working, ctx);
      working = { ...working, vars: { ...working.vars, ...result.vars } };
      locale = result.locale;
      replies.push(...(result.replies ?? []));
    }
    const target = resolveTarget(flowOf(state.node), choice.next);
    const turn =
      target === ENTRY.safetyResume
        ? await resume(working, { ...ctx, locale: locale ?? ctx.locale })
        : await go(working, target, { ...ctx, locale: locale ?? ctx.locale }, {});
    return { ...turn, replies: [...replies, ...turn.replies], locale: turn.locale ?? locale };
  }

  /** Enters `target` and runs through message, action and goto nodes until a screen (or an end) is reached. */
  async function go(
    state: ConversationState,
    target: NodeRef,
    ctx: TurnContext,
    opts: { resetStack?: boolean },
  ): Promise<Turn> {
    const replies: Reply[] = [];
    let vars = state.vars;
    let locale: Locale | undefined;
    let ref = target;
    for (let visited = 0; visited < MAX_NODES_PER_TURN; visited++) {
      const node = requireNode(ref);
      const flow = flowOf(ref);
      switch (node.kind) {
        case "message":
          replies.push({ text: [text(node.text, vars)], discreet: node.discreet });
          if (!node.next) return finish(replies, locale);
          ref = resolveTarget(flow, node.next);
          continue;
        case "goto":
          ref = resolveTarget(flow, node.target);
          continue;
        case "action": {
          const result = await runAction(
            node.action,
            node.params ?? {},
            { ...state, vars },
            { ...ctx, locale: locale ?? ctx.locale },
          );
          vars = { ...vars, ...result.vars };
          locale = result.locale ?? locale;
          replies.push(...(result.replies ?? []));
          const next = (result.outcome && node.outcomes?.[result.outcome]) ?? node.next;
          if (!next)
            throw new SpeanError("SPEAN_FLOW_INVALID", "action node has nowhere to go", {
              node: ref,
              outcome: result.outcome,
            });
          ref = resolveTarget(flow, next);
          continue;
        }
        case "end":
          if (node.text)
            replies.push({ text: [text(node.text, vars)], buttons: [[navButton("menu", 0)]], discreet: node.discreet });
          return finish(replies, locale);
        case "menu":
        case "ask": {
          const step = state.step + 1;
          const stack = opts.resetStack || ref === ENTRY.menu ? [] : pushed(state.stack, state.node, ref);
          replies.push(await renderScreen(ref, node, step, vars, { chatId: ctx.chatId, locale: locale ?? ctx.locale }));
          return { state: { node: ref, step, stack, vars }, replies, locale };
        }
      }
    }
    throw new SpeanError("SPEAN_TURN_LIMIT", undefined, { target });

    // A flow that ends without a screen leaves the chat at the main menu (without showing it again).
    function finish(replies: Reply[], locale: Locale | undefined): Turn {
      return { state: { node: ENTRY.menu, step: state.step + 1, stack: [], vars }, replies, locale };
    }
  }

  async function back(state: ConversationState, ctx: TurnContext): Promise<Turn> {
    const stack = [...state.stack];
    let previous = stack.pop();
    while (previous && !isScreenRef(previous)) previous = stack.pop();
    if (!previous) return go(state, ENTRY.menu, ctx, { resetStack: true });
    const node = requireNode(previous) as ScreenNode;
    const step = state.step + 1;
    return {
      state: { ...state, node: previous, step, stack },
      replies: [await renderScreen(previous, node, step, state.vars, ctx)],
    };
  }

  /** Shows the current screen again with fresh buttons, after an optional explanation. */
  async function again(
    state: ConversationState,
    current: ScreenNode,
    ctx: TurnContext,
    before?: string,
  ): Promise<Turn> {
    const step = state.step + 1;
    const replies = before ? [say(before)] : [];
    replies.push(await renderScreen(state.node, current, step, state.vars, ctx));
    return { state: { ...state, step }, replies };
  }

  async function stale(state: ConversationState, current: ScreenNode, ctx: TurnContext): Promise<Turn> {
    return { ...(await again(state, current, ctx, "common.expired")), notice: text("common.expired_short") };
  }

  async function renderScreen(
    ref: NodeRef,
    node: ScreenNode,
    step: number,
    vars: Vars,
    ctx: { chatId: number; locale: Locale },
  ): Promise<Reply> {
    const paragraphs =
      node.kind === "menu" && node.title ? [text(node.title), text(node.text, vars)] : [text(node.text, vars)];
    const rows: Button[][] = [];
    const extra = (await registry.screenButtons?.({ node: ref, chatId: ctx.chatId, locale: ctx.locale, vars })) ?? [];
    if (extra.length > 0) rows.push(extra);
    if (node.kind === "menu") {
      for (const name of node.blocks ?? [])
        paragraphs.push(...(await requireBlock(name)({ chatId: ctx.chatId, locale: ctx.locale, vars })));
      rows.push(...choiceRows(await choicesOf(ref, node, vars, ctx), node.columns, step));
    }
    const home = node.kind === "menu" && node.home;
    if (!home) rows.push([navButton("back", step), navButton("menu", step)]);
    if (!home && ref !== ENTRY.emergency) rows.push([navButton("emergency", step)]);
    if (node.discreet) rows.push([{ label: text(EXIT_LABEL), data: encodeCallback({ kind: "exit" }) }]);
    const reply: Reply = { text: paragraphs, buttons: rows, discreet: node.discreet };
    if (node.kind === "ask" && node.input === "phone") reply.requestContact = text("common.share_phone");
    return reply;
  }

  async function runAction(
    name: string,
    params: Record<string, string | number | boolean>,
    state: ConversationState,
    ctx: TurnContext,
  ) {
    const action = registry.actions.get(name);
    if (!action) throw new SpeanError("SPEAN_ACTION_UNKNOWN", undefined, { action: name });
    try {
      return await action({ chatId: ctx.chatId, locale: ctx.locale, vars: state.vars, params, now: ctx.now });
    } catch (cause) {
      throw new SpeanError("SPEAN_ACTION_FAILED", undefined, { action: name }, { cause });
    }
  }

  function requireBlock(name: string) {
    const block = registry.blocks.get(name);
    if (!block) throw new SpeanError("SPEAN_FLOW_INVALID", "unknown block", { block: name });
    return block;
  }

  function requireNode(ref: NodeRef): FlowNode {
    const node = findNode(flows, ref);
    if (!node) throw new SpeanError("SPEAN_FLOW_INVALID", "target node does not exist", { node: ref });
    return node;
  }

  function isScreenRef(ref: NodeRef): boolean {
    const node = findNode(flows, ref);
    return node !== undefined && isScreen(node);
  }

  function matchChoice(choices: DynamicChoice[], typed: string): DynamicChoice | undefined {
    if (choices.length === 0) return undefined;
    const number = parseWholeNumber(typed);
    if (number !== undefined) return choices[number - 1];
    const wanted = bare(typed);
    if (!wanted) return undefined;
    const exact = choices.filter((c) => labelsOf(c.label).some((l) => bare(l) === wanted));
    if (exact.length === 1) return exact[0];
    // A part of a label (at least 3 letters) is enough when it points to exactly one choice.
    if ([...wanted].length < 3) return undefined;
    const partial = choices.filter((c) => labelsOf(c.label).some((l) => bare(l).includes(wanted)));
    return partial.length === 1 ? partial[0] : undefined;
  }

  function matchNav(typed: string): keyof typeof NAV_LABELS | undefined {
    const wanted = bare(typed);
    if (!wanted) return undefined;
    for (const [nav, key] of Object.entries(NAV_LABELS) as [keyof typeof NAV_LABELS, string][]) {
      if (
        labelsOf(text(key)).some((l) => bare(l) === wanted) ||
        labelsOf(text(`${key}_words`)).some((w) => w.split("|").map(bare).includes(wanted))
      )
        return nav;
    }
    return undefined;
  }

  return { handle };
}

/** What a registry hook reading typed text is told. */
function typedContext(state: ConversationState, typed: string, ctx: TurnContext): FreeTextContext {
  return { chatId: ctx.chatId, locale: ctx.locale, vars: state.vars, node: state.node, text: typed, now: ctx.now };
}

/** The message held while "Are you safe right now?" is asked, and where it was typed. */
const HELD_VARS = ["safety_text", "safety_from"] as const;
/** Those, and the kinds of danger found (which order the emergency numbers in the same turn). */
const SAFETY_VARS = [...HELD_VARS, "safety_kind"] as const;

function without(vars: Vars, names: readonly string[]): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([name]) => !names.includes(name)));
}

function withoutHeldMessage(vars: Vars): Vars {
  return without(vars, HELD_VARS);
}

function fresh(vars: Vars = {}): ConversationState {
  return { node: ENTRY.menu, step: 0, stack: [], vars };
}

function isScreen(node: FlowNode): node is ScreenNode {
  return node.kind === "menu" || node.kind === "ask";
}

function flowOf(ref: NodeRef): string {
  return splitRef(ref)[0];
}

function pushed(stack: NodeRef[], from: NodeRef, to: NodeRef): NodeRef[] {
  if (from === to) return stack;
  return [...stack, from].slice(-MAX_STACK);
}

function say(key: string): Reply {
  return { text: [text(key)] };
}

function prepend(turn: Turn, reply: Reply): Turn {
  return { ...turn, replies: [reply, ...turn.replies] };
}

/** Lays choices out in rows: `columns` per row, except that a run of choices sharing a group gets a row of its own. */
function choiceRows(choices: DynamicChoice[], columns: number, step: number): Button[][] {
  const rows: Button[][] = [];
  let open: { group: string | undefined; buttons: Button[] } | undefined;
  for (const choice of choices) {
    const button = { label: choice.label, data: encodeCallback({ kind: "choice", step, choice: choice.id }) };
    const fits =
      open &&
      (choice.group !== undefined
        ? open.group === choice.group
        : open.group === undefined && open.buttons.length < columns);
    if (open && fits) {
      open.buttons.push(button);
      continue;
    }
    open = { group: choice.group, buttons: [button] };
    rows.push(open.buttons);
  }
  return rows;
}

function navButton(kind: "back" | "menu" | "emergency", step: number): Button {
  const data = kind === "back" ? encodeCallback({ kind, step }) : encodeCallback({ kind });
  return { label: text(NAV_LABELS[kind]), data };
}

/** A label or typed text reduced to letters and digits, for comparing them. */
function bare(value: string): string {
  return normalizeForMatch(value).replace(/[^\p{L}\p{M}\p{N}]+/gu, "");
}
