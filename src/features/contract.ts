/**
 * The Feature contract: everything a vertical (safety, knowledge, help and referrals, booking, staff) plugs into
 * the service, in one object. The registry the flows call, the content check, the Telegram bot, the scheduler,
 * the outbox sender, quick exit and retention are all built from the list of features (src/service/features.ts),
 * so adding a feature touches its own folder and one line in that list.
 *
 * Nothing here knows Telegram: commands and buttons are declared as data and handled as domain calls; the Telegram
 * layer (src/telegram/features.ts) turns them into grammY composers.
 */
import type { Awaitable } from "../base/awaitable.ts";
import type { Locale } from "../base/locale.ts";
import type { Reply, TextRef } from "../base/reply.ts";
import type { CallbackPrefix } from "../engine/callback-data.ts";
import type { Action, Block, ChoiceProvider, Registry, SafetyHooks } from "../engine/actions.ts";
import type { OutboxHooks } from "../outbox/hooks.ts";
import type { Subject } from "../outbox/message.ts";
import type { Job } from "../scheduling/jobs.ts";
import type { StaffAction } from "./roles.ts";

export interface Feature {
  /** Short lower-case name, for logs and error messages. */
  name: string;
  /** Text keys it renders outside the flow files; the content check requires each in every locale. */
  textKeys?: readonly string[];
  /** What flows may name, and its hooks into the conversation engine. */
  flow?: FlowParts;
  /** Slash commands it answers. */
  commands?: readonly FeatureCommand[];
  /** Inline buttons outside the flows, by callback-data prefix. */
  buttons?: readonly FeatureButton[];
  /** Takes a private-chat message (not a command) before the conversation engine sees it. */
  intercept?: (message: IncomingMessage) => Awaitable<Interception | undefined>;
  /** Scheduled work; each run is one unit of work (one database transaction). */
  jobs?: readonly Job[];
  /** What it does around the sending of its own messages, by subject kind. */
  outboxHooks?: ReadonlyMap<string, OutboxHooks>;
  /**
   * Quick exit for a chat, inside quick exit's transaction (after everything queued for the chat was cancelled).
   * Returns outbox ids to send afterwards (e.g. a notice to a caseworker), or nothing.
   */
  onQuickExit?: (chatId: number) => Awaitable<number[] | void>;
  /** Erases what is older than the retention period; returns counts by what was erased (for the job log). */
  purge?: (retentionDays: number) => Awaitable<Record<string, number>>;
  /** What it holds about a chat, for /mydata: lines in the resident's language (counts and references only). */
  describeData?: (chatId: number, locale: Locale) => Awaitable<TextRef[]>;
  /**
   * /forget: erases everything it holds about the chat, keeping only anonymous counts under `anonymousId` (so that
   * the programme's figures stay right). Inside the forget transaction; returns outbox ids to send afterwards (a
   * notice to staff, with a case or appointment reference and nothing else), or nothing.
   */
  onForget?: (chatId: number, anonymousId: number) => Awaitable<number[] | void>;
}

/**
 * A feature's part of the flow registry. `freeText`, `besideDanger` and `externalButton` are asked in the order of
 * the feature list; the first answer wins (booking reads a typed day before the knowledge base takes it as a question).
 */
export interface FlowParts {
  actions?: ReadonlyMap<string, Action>;
  blocks?: ReadonlyMap<string, Block>;
  choices?: ReadonlyMap<string, ChoiceProvider>;
  freeText?: Registry["freeText"];
  besideDanger?: Registry["besideDanger"];
  externalButton?: Registry["externalButton"];
  screenButtons?: Registry["screenButtons"];
  entries?: readonly string[];
  /** At most one feature (safety) assesses typed text for danger. */
  safety?: SafetyHooks;
}

/** A message a command was sent in reply to, as far as a feature needs to know it. */
export interface RepliedMessage {
  messageId: number;
  /** Who wrote it (undefined: unknown, e.g. a channel post). */
  fromUserId: number | undefined;
  /** Forwarded from someone else: not the sender's own. */
  forwarded: boolean;
  /** "voice", "audio", "text", ... (as in IncomingMessage). */
  kind: string;
  /** The chat platform's id of its voice file (voice notes only). */
  voiceFileId?: string;
  /** Seconds (voice notes only). */
  duration?: number;
}

/** Who typed a command, where, and what followed it. */
export interface CommandInput {
  userId: number;
  chatId: number;
  /** The sender's first name as Telegram gives it (for a new staff member's display name). */
  firstName: string;
  /** What followed the command, trimmed ("" when nothing did). */
  argument: string;
  updateId: number;
  /** The language to answer in. */
  locale: Locale;
  /** The message the command replied to, if any (e.g. a staff member's own voice note for /recording). */
  replyTo?: RepliedMessage;
}

export interface FeatureCommand {
  /** Without the slash, lower-case. `/name@otherbot` is never this command. */
  name: string;
  /** "staff-chat": only in the configured staff group (ignored in any other group); "private": a private chat. */
  where: "staff-chat" | "private";
  /**
   * What the sender must be allowed in the roles table (staff/roles.ts). Without it, anyone in `where`. A refusal is
   * audited, and in a private chat the command is then treated as one the bot does not know.
   */
  permission?: StaffAction;
  /** The replies to the chat; undefined passes the command on (to the conversation engine in a private chat). */
  run: (input: CommandInput) => Awaitable<Reply | readonly Reply[] | undefined>;
}

/** Who pressed a button, on which message. */
export interface ButtonInput {
  userId: number;
  chatId: number;
  /** The message the button is on, when Telegram still says. */
  messageId: number | undefined;
  data: string;
  updateId: number;
  locale: Locale;
}

export interface ButtonOutcome {
  /** Shown as a toast (or a pop-up with `alert`) to whoever pressed. */
  notice: TextRef;
  alert?: boolean;
  /** Rewrites the pressed message (e.g. a counsellor's card showing the mark). */
  edit?: Reply;
  /** What the edit is about, so that the feature's outbox hooks apply to it (default: none). */
  editSubject?: Subject;
  /** Outbox rows queued by the press, sent right after it. */
  outboxIds?: readonly number[];
  /** Work for after the transaction has committed (e.g. a WAL checkpoint, so that erased data leaves the disk). */
  afterCommit?: () => void;
}

export interface FeatureButton {
  /** Its callback-data prefix, from the one table in engine/callback-data.ts. */
  prefix: CallbackPrefix;
  press: (input: ButtonInput) => Awaitable<ButtonOutcome>;
}

/** A private-chat message that is not a command, as features see it. */
export interface IncomingMessage {
  chatId: number;
  userId: number;
  messageId: number;
  /** The message it replies to, if any. */
  replyTo: number | undefined;
  /** text, sticker, voice, photo, contact, ... */
  kind: string;
  /** The text (or caption) when there is one. */
  text: string | undefined;
  /** Seconds, for a voice note, video note, video or audio file. */
  duration?: number;
  /** A voice note's file id: read only to offer a content member's own note as a recording (never a resident's). */
  voiceFileId?: string;
  updateId: number;
}

export interface Interception {
  /** Outbox rows queued for it, sent right away. */
  outboxIds: readonly number[];
  /** Let the conversation engine answer the message too (e.g. danger words while talking with a caseworker). */
  answerToo: boolean;
}
