/**
 * The database schema (Drizzle, SQLite). Times are UTC epoch milliseconds. Columns ending in `_enc` hold
 * AES-256-GCM ciphertext from src/security/field-cipher.ts, never plain text.
 */
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

/** Residents who have talked to the bot. No names and no phone numbers are stored here. */
export const users = sqliteTable("users", {
  chatId: integer("chat_id").primaryKey(),
  telegramUserId: integer("telegram_user_id"),
  /** The chosen language; null until the user chooses (the service default applies). */
  locale: text("locale"),
  firstSeenAt: integer("first_seen_at").notNull(),
  lastSeenAt: integer("last_seen_at").notNull(),
  /** Set when Telegram answers 403 (the user blocked the bot) or a my_chat_member update says so. */
  blockedAt: integer("blocked_at"),
});

/** Where each chat is in its flow: survives restarts. */
export const conversations = sqliteTable("conversations", {
  chatId: integer("chat_id").primaryKey(),
  flow: text("flow").notNull(),
  node: text("node").notNull(),
  /** Increases on every screen shown; buttons carry it so a press on an older screen is recognised as stale. */
  step: integer("step").notNull(),
  /** JSON array of earlier screens ("flow.node") for Back. */
  stack: text("stack").notNull(),
  /** JSON object of answers given in the flow, encrypted. */
  varsEnc: text("vars_enc").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * Every update from Telegram, persisted before it is acknowledged. update_id is the primary key, so a re-delivered
 * update is dropped. The payload is erased once the update is done.
 */
export const inbox = sqliteTable(
  "inbox",
  {
    updateId: integer("update_id").primaryKey(),
    /** Updates of one lane (one chat) are handled one at a time, in update_id order. */
    lane: text("lane").notNull(),
    payloadEnc: text("payload_enc"),
    status: text("status", { enum: ["pending", "done", "quarantined"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    receivedAt: integer("received_at").notNull(),
    doneAt: integer("done_at"),
  },
  (t) => [
    index("inbox_status_lane").on(t.status, t.lane, t.updateId),
    index("inbox_status_order").on(t.status, t.updateId),
    index("inbox_done_at").on(t.doneAt),
  ],
);

/** One row per message in or out, for follow-up and counting. text_enc is erased after RETENTION_DAYS. */
export const interactions = sqliteTable(
  "interactions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    /** text, command, button, contact, sticker, voice, photo, other, message (out), alert (out)... */
    kind: text("kind").notNull(),
    flow: text("flow"),
    node: text("node"),
    textEnc: text("text_enc"),
    updateId: integer("update_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("interactions_created_at").on(t.createdAt), index("interactions_chat").on(t.chatId, t.createdAt)],
);

/**
 * Every message the bot sends. Replies to a user are written here in the same transaction as the state change and
 * sent at once; messages the bot starts on its own (reminders, alerts) wait for the rate-limited sender.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Unique: the same logical message is never queued twice (e.g. reply:<update>:<n>, reminder:<appt>:<rung>). */
    dedupeKey: text("dedupe_key").notNull(),
    chatId: integer("chat_id").notNull(),
    purpose: text("purpose", { enum: ["reply", "notice", "alert", "reminder"] }).notNull(),
    /** Bot API method, e.g. sendMessage. */
    method: text("method").notNull(),
    /** JSON of the method's parameters except chat_id, encrypted. */
    payloadEnc: text("payload_enc").notNull(),
    status: text("status", { enum: ["pending", "sending", "sent", "failed", "cancelled"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    notBefore: integer("not_before").notNull(),
    lastError: text("last_error"),
    telegramMessageId: integer("telegram_message_id"),
    createdAt: integer("created_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    uniqueIndex("outbox_dedupe_key").on(t.dedupeKey),
    index("outbox_due").on(t.status, t.notBefore),
    index("outbox_chat").on(t.chatId, t.id),
  ],
);

/** Messages the bot sent or received, kept so quick exit can delete them (Telegram allows it for 48 hours). */
export const chatMessages = sqliteTable(
  "chat_messages",
  {
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    fromBot: integer("from_bot", { mode: "boolean" }).notNull(),
    sentAt: integer("sent_at").notNull(),
  },
  (t) => [uniqueIndex("chat_messages_pk").on(t.chatId, t.messageId), index("chat_messages_sent_at").on(t.sentAt)],
);


/**
 * Questions residents typed to the knowledge search, for the content team: what was asked, what was answered and
 * whether it helped. text_enc is erased after RETENTION_DAYS like the interaction log.
 */
export const questions = sqliteTable(
  "questions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    textEnc: text("text_enc"),
    locale: text("locale").notNull(),
    /** The article answered with; null when the search was not confident (an unanswered question). */
    answeredWith: text("answered_with"),
    score: integer("score_milli").notNull(),
    /** The resident's 👍 / 👎 on the answer, when given. */
    vote: text("vote", { enum: ["up", "down"] }),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("questions_created_at").on(t.createdAt)],
);

/** 👍 / 👎 on articles, however the resident reached them. */
export const articleFeedback = sqliteTable(
  "article_feedback",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    articleId: text("article_id").notNull(),
    vote: text("vote", { enum: ["up", "down"] }).notNull(),
    questionId: integer("question_id"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("article_feedback_article").on(t.articleId, t.createdAt)],
);
