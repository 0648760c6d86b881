/**
 * What a feature may do around the sending of its own messages, found by the message's subject kind (see
 * Subject in message.ts). All hooks run inside the sender's bookkeeping; they must be quick, do database work only,
 * and never throw.
 */
import type { Awaitable } from "../base/awaitable.ts";
import type { OutboxRow } from "./store.ts";

export interface OutboxHooks {
  /**
   * Just before a queued row is sent (not for direct replies): the row to send, possibly with a new message, or
   * undefined to drop it (the row is marked cancelled).
   */
  beforeSend?: (row: OutboxRow) => Awaitable<OutboxRow | undefined>;
  /** After the chat accepted the row. */
  onSent?: (row: OutboxRow, messageId: number | undefined) => Awaitable<void>;
  /** The chat cannot be reached (blocked, not found); true when the feature has told whoever must know. */
  onUnreachable?: (row: OutboxRow) => Awaitable<boolean>;
}

/** Hooks by subject kind. */
export type OutboxHookTable = ReadonlyMap<string, OutboxHooks>;

/** The hooks for a row's subject, if any. */
export function hooksFor(table: OutboxHookTable | undefined, row: OutboxRow): OutboxHooks | undefined {
  return row.subject ? table?.get(row.subject.kind) : undefined;
}
