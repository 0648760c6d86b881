/**
 * Messages the service itself sends to the staff chat and to a resident when something goes wrong outside any
 * feature: an update set aside after repeated failures, a chat that cannot be reached. Codes, counts and case
 * numbers only; never a resident's words or Telegram id.
 */
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { PendingUpdate } from "../inbox/store.ts";
import { queueReply } from "../outbox/queue-reply.ts";
import type { OutboxRow } from "../outbox/store.ts";
import { CASE_SUBJECT } from "../referrals/desk.ts";
import { caseNumber } from "../referrals/store.ts";
import type { Core } from "./core.ts";

/** Queues a message to the staff chat, if one is configured. Parameters must never hold a resident's words. */
export async function notifyStaff(
  core: Core,
  dedupeKey: string,
  key: string,
  params: Record<string, string | number>,
): Promise<void> {
  const { config, content, outbox } = core;
  if (config.staffChatId === undefined) return;
  await queueReply(outbox, content.translator, {
    chatId: config.staffChatId,
    dedupeKey,
    reply: { text: [{ key, params }] },
    locale: config.defaultLocale,
    purpose: "alert",
  });
}

/** Apologises to the resident and tells staff (codes and ids only) when an update is set aside. */
export async function onQuarantine(core: Core, pending: PendingUpdate): Promise<void> {
  const { config, content, conversations, outbox } = core;
  const chatId = pending.lane.startsWith("chat:") ? Number(pending.lane.slice(5)) : undefined;
  await core.commits.run(async () => {
    if (chatId !== undefined && chatId > 0) {
      const locale = (await conversations.touch(chatId, undefined)).locale ?? config.defaultLocale;
      const reply = {
        text: [{ key: "common.apology" }],
        buttons: [[{ label: { key: "common.main_menu" }, data: CALLBACK_PREFIXES.menu }]],
      };
      await queueReply(outbox, content.translator, { chatId, dedupeKey: `apology:${pending.updateId}`, reply, locale });
    }
    const row = (await core.inbox.quarantined(1)).find((q) => q.updateId === pending.updateId);
    await notifyStaff(core, `quarantine:${pending.updateId}`, "staff.quarantined", {
      attempts: pending.attempts + 1,
      update_id: pending.updateId,
      code: row?.lastError ?? "UNKNOWN",
    });
  });
}

/**
 * A chat cannot be reached: it is marked blocked, and unless the message's own feature told someone already, staff
 * are told (with the case number when the message was about a case).
 */
export async function onUnreachable(core: Core, row: OutboxRow, handled: boolean): Promise<void> {
  const { config } = core;
  await core.conversations.markBlocked(row.chatId);
  if (handled || row.purpose === "reply" || config.staffChatId === undefined || row.chatId === config.staffChatId)
    return;
  const referralId = row.subject?.kind === CASE_SUBJECT ? row.subject.id : undefined;
  await notifyStaff(core, `unreachable:${row.id}`, "staff.unreachable", {
    case_ref: referralId !== undefined ? caseNumber(referralId) : "—",
    purpose: row.purpose,
  });
}
