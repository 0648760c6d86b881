/**
 * The database schema (Drizzle, SQLite). Times are UTC epoch milliseconds. Columns ending in `_enc` hold
 * AES-256-GCM ciphertext from src/security/field-cipher.ts, never plain text.
 */
import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";

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
  /** The district the resident chose under "Get help" (an id from flows/data/services.yaml), remembered. */
  district: text("district"),
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

/**
 * Chats sending more than the inbox admits (src/inbox/admission.ts): how many updates were dropped, and when the
 * chat was last asked to wait (at most once every few minutes).
 */
export const inboxFloods = sqliteTable("inbox_floods", {
  lane: text("lane").primaryKey(),
  dropped: integer("dropped").notNull(),
  firstDroppedAt: integer("first_dropped_at").notNull(),
  lastDroppedAt: integer("last_dropped_at").notNull(),
  notifiedAt: integer("notified_at"),
});

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
    /**
     * The message's kind (text, edit, relay, delete: src/outbox/message.ts). Rows queued before migration 0007 hold
     * a Bot API method here instead, and its parameters in the payload.
     */
    method: text("method").notNull(),
    /** JSON of the message, encrypted. */
    payloadEnc: text("payload_enc").notNull(),
    /** What the message is about (src/outbox/message.ts Subject): its hooks and its rows are found by these. */
    subjectKind: text("subject_kind"),
    subjectId: integer("subject_id"),
    subjectRung: integer("subject_rung"),
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
    /** Admission counts a chat's replies due but not yet sent (a flooding chat is held to a few). */
    index("outbox_chat_due").on(t.chatId, t.status, t.notBefore),
    index("outbox_subject").on(t.subjectKind, t.subjectId),
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

/**
 * Wordings staff taught the knowledge search: "these words mean this article". A staff member proposes one in their
 * own words (never a resident's message, see knowledge/wordings.ts); another, with the review permission, approves
 * or rejects it. Approved wordings are searched as keywords of their article from then on.
 */
export const learnedWordings = sqliteTable(
  "learned_wordings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    articleId: text("article_id").notNull(),
    wording: text("wording").notNull(),
    status: text("status", { enum: ["pending", "approved", "rejected", "removed"] }).notNull(),
    /** Telegram user ids of the staff members who proposed and reviewed it. */
    proposedBy: integer("proposed_by").notNull(),
    reviewedBy: integer("reviewed_by"),
    createdAt: integer("created_at").notNull(),
    reviewedAt: integer("reviewed_at"),
  },
  (t) => [index("learned_wordings_status").on(t.status)],
);

/**
 * Facts about the database itself, one row each: `key_check` holds a known text encrypted with the key the database
 * was written with, so that a different ENCRYPTION_KEY is refused at start-up instead of failing on every row.
 */
export const storeMeta = sqliteTable("store_meta", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * What residents chose when the danger classifier was unsure: the "Are you safe right now?" check-in shown, "I'm
 * safe" and "I need help now". Counts only: no chat, no text, so staff see how often it happens and nothing more.
 */
export const safetyChecks = sqliteTable(
  "safety_checks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    event: text("event", { enum: ["shown", "safe", "help"] }).notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("safety_checks_created_at").on(t.createdAt)],
);

/** Staff registered by a one-time invite code, recognised by their Telegram user id. */
export const staffMembers = sqliteTable("staff_members", {
  telegramUserId: integer("telegram_user_id").primaryKey(),
  role: text("role", { enum: ["counsellor", "caseworker", "content", "supervisor", "admin"] }).notNull(),
  /** The first name staff chose to be known by; residents see it ("Bopha, a caseworker, will contact you"). */
  displayName: text("display_name").notNull(),
  active: integer("active", { mode: "boolean" }).notNull(),
  /** The case this member's plain messages to the bot are relayed to (set by "Talk"). */
  activeReferralId: integer("active_referral_id"),
  createdAt: integer("created_at").notNull(),
});

/** One-time invite codes. Only a hash of the code is stored. */
export const staffInvites = sqliteTable("staff_invites", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  codeHash: text("code_hash").notNull().unique(),
  role: text("role", { enum: ["counsellor", "caseworker", "content", "supervisor", "admin"] }).notNull(),
  /** Telegram user id of the admin who made it; null when made on the command line. */
  createdBy: integer("created_by"),
  expiresAt: integer("expires_at").notNull(),
  usedBy: integer("used_by"),
  usedAt: integer("used_at"),
  createdAt: integer("created_at").notNull(),
});

/** Every staff action and every refused attempt (ids and codes only, never text). */
export const staffAudit = sqliteTable(
  "staff_audit",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    telegramUserId: integer("telegram_user_id").notNull(),
    action: text("action").notNull(),
    referralId: integer("referral_id"),
    allowed: integer("allowed", { mode: "boolean" }).notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("staff_audit_at").on(t.at)],
);

/**
 * Referrals to a caseworker, made only after the resident's clear yes. No name and no free text: the contact
 * preference (which may hold a phone number) is encrypted.
 */
export const referrals = sqliteTable(
  "referrals",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    category: text("category").notNull(),
    urgency: text("urgency", { enum: ["urgent", "normal"] }).notNull(),
    /** A district id, or null when the resident did not say (urgent requests skip the question). */
    district: text("district"),
    /** Which consent wording the resident said yes to (a hash of the text they saw), and when. */
    consentVersion: text("consent_version").notNull(),
    consentAt: integer("consent_at").notNull(),
    /** JSON {method, time, phone?}, encrypted; erased RETENTION_DAYS after the case is closed. */
    contactEnc: text("contact_enc"),
    status: text("status", {
      enum: ["open", "claimed", "in_conversation", "resolved", "closed_unreachable", "closed_by_resident"],
    }).notNull(),
    assignedTo: integer("assigned_to"),
    createdAt: integer("created_at").notNull(),
    claimedAt: integer("claimed_at"),
    conversationAt: integer("conversation_at"),
    closedAt: integer("closed_at"),
    updatedAt: integer("updated_at").notNull(),
    /** How often the alert was re-posted unclaimed, and when it is next due. */
    escalations: integer("escalations").notNull().default(0),
    nextEscalationAt: integer("next_escalation_at"),
  },
  (t) => [
    index("referrals_status_escalation").on(t.status, t.nextEscalationAt),
    index("referrals_chat_status").on(t.chatId, t.status),
  ],
);

/** Every status change of a referral: who, what, when. */
export const referralEvents = sqliteTable(
  "referral_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    referralId: integer("referral_id").notNull(),
    status: text("status").notNull(),
    /** Telegram user id of the staff member; null for the resident or the system. */
    actor: integer("actor"),
    at: integer("at").notNull(),
  },
  (t) => [index("referral_events_referral").on(t.referralId)],
);

/** Messages relayed between a caseworker and a resident, logged to the case; text encrypted, erased with the case. */
export const caseMessages = sqliteTable(
  "case_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    referralId: integer("referral_id").notNull(),
    direction: text("direction", { enum: ["to_resident", "from_resident"] }).notNull(),
    staffId: integer("staff_id").notNull(),
    /** text, sticker, voice, photo, ... */
    kind: text("kind").notNull(),
    textEnc: text("text_enc"),
    at: integer("at").notNull(),
  },
  (t) => [index("case_messages_referral").on(t.referralId, t.at)],
);

/** Which case a message in a staff member's private chat belongs to, so that replying to it reaches that case. */
export const caseLinks = sqliteTable(
  "case_links",
  {
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    referralId: integer("referral_id").notNull(),
  },
  (t) => [uniqueIndex("case_links_pk").on(t.chatId, t.messageId)],
);

/** Counsellors: staff (role counsellor) who take one-on-one counselling sessions, with where and what they cover. */
export const counsellors = sqliteTable("counsellors", {
  telegramUserId: integer("telegram_user_id").primaryKey(),
  displayName: text("display_name").notNull(),
  /** JSON array of site ids (prek_pnov, russey_keo, chbar_ampov, phone). */
  sites: text("sites").notNull(),
  /** JSON array of topic ids (health, legal, work, family). */
  topics: text("topics").notNull(),
  /** Length of one session in minutes. */
  slotMinutes: integer("slot_minutes").notNull(),
  active: integer("active", { mode: "boolean" }).notNull(),
  /** Demo data (fictional counsellors): never created in production unless asked. */
  demo: integer("demo", { mode: "boolean" }).notNull().default(false),
  createdAt: integer("created_at").notNull(),
});

/** Weekly hours: when a counsellor is at a site (or takes phone sessions), as local minutes after midnight. */
export const counsellorHours = sqliteTable(
  "counsellor_hours",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    counsellorId: integer("counsellor_id").notNull(),
    site: text("site").notNull(),
    /** 1 = Monday .. 5 = Friday (weekends and public holidays never have slots). */
    weekday: integer("weekday").notNull(),
    startMinute: integer("start_minute").notNull(),
    endMinute: integer("end_minute").notNull(),
  },
  (t) => [index("counsellor_hours_counsellor").on(t.counsellorId)],
);

/**
 * Counselling appointments. A chat (a family) may hold several. The partial unique index is what makes double
 * booking impossible: a counsellor's start time can be held by one appointment that is not cancelled or moved.
 */
export const appointments = sqliteTable(
  "appointments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    counsellorId: integer("counsellor_id").notNull(),
    topic: text("topic").notNull(),
    /** A site id, or "phone". */
    site: text("site").notNull(),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    forWhom: text("for_whom", { enum: ["self", "family"] }).notNull(),
    /** The family member's first name, encrypted; erased RETENTION_DAYS after the appointment. */
    familyNameEnc: text("family_name_enc"),
    /** The phone number for a phone session, encrypted; erased like the name. */
    phoneEnc: text("phone_enc"),
    /** The language reminders are written in. */
    locale: text("locale", { enum: ["km", "en"] }).notNull(),
    status: text("status", { enum: ["booked", "cancelled", "rescheduled", "attended", "no_show"] }).notNull(),
    /** Why staff should look at it: unreachable (reminder could not be delivered), reminder_missed, reminders_off. */
    flag: text("flag"),
    /** The appointment this one replaced (reschedule). */
    rescheduledFrom: integer("rescheduled_from"),
    /** When the family pressed "I will come". */
    confirmedAt: integer("confirmed_at"),
    markedBy: integer("marked_by"),
    markedAt: integer("marked_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("appointments_counsellor_slot")
      .on(t.counsellorId, t.startsAt)
      .where(sql`status in ('booked', 'attended', 'no_show')`),
    index("appointments_chat_status").on(t.chatId, t.status, t.startsAt),
    index("appointments_status_starts").on(t.status, t.startsAt),
  ],
);

/** A caseworker's note on a case; the text is encrypted and erased with the case's messages. */
export const caseNotes = sqliteTable(
  "case_notes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    referralId: integer("referral_id").notNull(),
    staffId: integer("staff_id").notNull(),
    textEnc: text("text_enc"),
    at: integer("at").notNull(),
  },
  (t) => [index("case_notes_referral").on(t.referralId, t.at)],
);

/** What came of a closed case (the closed loop the programme counts), recorded by the staff member who closed it. */
export const caseOutcomes = sqliteTable("case_outcomes", {
  referralId: integer("referral_id").primaryKey(),
  outcome: text("outcome", {
    enum: ["service_received", "referred_on", "job_or_training", "unreachable", "closed_by_resident"],
  }).notNull(),
  /** The directory service the resident was referred to, for "referred_on". */
  serviceId: text("service_id"),
  staffId: integer("staff_id"),
  at: integer("at").notNull(),
});

/**
 * A login to the staff console, started by /console in the bot: a one-time link (only its hash is kept), opened by
 * one browser (the hash of a nonce cookie binds it), approved or refused in Telegram, used once.
 */
export const consoleLogins = sqliteTable("console_logins", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  tokenHash: text("token_hash").notNull().unique(),
  staffId: integer("staff_id").notNull(),
  state: text("state", { enum: ["sent", "opened", "approved", "refused", "used"] }).notNull(),
  browserHash: text("browser_hash"),
  /** "Chrome on Android": what the approval question names; no address, no full user agent. */
  browser: text("browser"),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
});

/** A console session; only a hash of the cookie's token is kept. */
export const consoleSessions = sqliteTable(
  "console_sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull().unique(),
    staffId: integer("staff_id").notNull(),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    endedAt: integer("ended_at"),
  },
  (t) => [index("console_sessions_staff").on(t.staffId)],
);

/** A staff member confirmed a service's number by phone on a day (the console's "checked today"). */
export const serviceChecks = sqliteTable(
  "service_checks",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    serviceId: text("service_id").notNull(),
    staffId: integer("staff_id").notNull(),
    at: integer("at").notNull(),
  },
  (t) => [index("service_checks_service").on(t.serviceId, t.at)],
);

/** Days a counsellor takes no sessions (leave, training), inclusive, as local dates YYYY-MM-DD. */
export const counsellorTimeOff = sqliteTable(
  "counsellor_time_off",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    counsellorId: integer("counsellor_id").notNull(),
    fromDate: text("from_date").notNull(),
    toDate: text("to_date").notNull(),
    createdBy: integer("created_by"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("counsellor_time_off_counsellor").on(t.counsellorId, t.toDate)],
);

/**
 * A group activity staff ran in a room (a children's protection session, a health session, a migration-law session,
 * ...): where, when, what, and how many took part by age band and sex. Counts only, never names. The place and the
 * facilitating organisation are staff's words and are never exported.
 */
export const groupActivities = sqliteTable(
  "group_activities",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** Local date YYYY-MM-DD. */
    date: text("date").notNull(),
    /** A khan id from flows/data/sangkats.yaml, and one of its sangkats (null when it served the whole khan). */
    khan: text("khan").notNull(),
    sangkat: text("sangkat"),
    /** An activity kind from src/programme/activities.ts. */
    kind: text("kind").notNull(),
    organisation: text("organisation").notNull(),
    place: text("place").notNull(),
    /** JSON object of counts by "<sex>_<band>", e.g. {"female_0_11": 4, "male_0_11": 3, ...}. */
    participants: text("participants").notNull(),
    /** How many of the participants came to a programme session for the first time. */
    firstTime: integer("first_time").notNull(),
    recordedBy: integer("recorded_by").notNull(),
    createdAt: integer("created_at").notNull(),
    /** Set when a staff member withdrew the record (a mistake); withdrawn records count nowhere. */
    withdrawnAt: integer("withdrawn_at"),
  },
  (t) => [index("group_activities_date").on(t.date)],
);

/**
 * One anonymous answer to "What does your community need?": no chat id, the day only, no free text. Needs are ids
 * from src/programme/needs.ts.
 */
export const needsResponses = sqliteTable(
  "needs_responses",
  {
    /** Random, not in order of answering (see src/programme/needs.ts). */
    id: integer("id").primaryKey(),
    /** Local date YYYY-MM-DD of the answer (the day, not the time, so that it cannot be matched to a chat's log). */
    date: text("date").notNull(),
    khan: text("khan").notNull(),
    sangkat: text("sangkat"),
    need1: text("need1").notNull(),
    need2: text("need2"),
    need3: text("need3"),
    meeting: text("meeting", { enum: ["yes", "no", "maybe"] }).notNull(),
  },
  (t) => [index("needs_responses_date").on(t.date)],
);

/**
 * Who has answered the needs survey this quarter, as a keyed hash of the chat id (not the id itself), so the answer
 * cannot be linked to the chat. Rows of past quarters are erased by the retention job.
 */
export const needsAnswered = sqliteTable(
  "needs_answered",
  {
    chatHash: text("chat_hash").notNull(),
    /** "2026-Q4" in the service's time zone. */
    quarter: text("quarter").notNull(),
  },
  (t) => [uniqueIndex("needs_answered_pk").on(t.chatHash, t.quarter)],
);

/**
 * Voice notes, photos, videos and documents a resident sent for a person to see: only Telegram's message id, the
 * kind and the duration. Never the file, its id or a path: the claiming caseworker gets a copy from the resident's
 * chat (copyMessage). Rows without a referral wait for the resident's yes; "no" deletes them.
 */
export const caseMedia = sqliteTable(
  "case_media",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    chatId: integer("chat_id").notNull(),
    messageId: integer("message_id").notNull(),
    /** voice, video_note, photo, document, video, audio */
    kind: text("kind").notNull(),
    /** Seconds, for voice, video notes, videos and audio. */
    duration: integer("duration"),
    referralId: integer("referral_id"),
    createdAt: integer("created_at").notNull(),
    /** When it was copied to the caseworker who claimed the case. */
    relayedAt: integer("relayed_at"),
  },
  (t) => [index("case_media_chat").on(t.chatId, t.createdAt), index("case_media_referral").on(t.referralId)],
);

/**
 * Voice recordings of answers that staff made in Telegram (/recording, replying to their own voice note): one per
 * screen ("article:<id>", "screen:start"...) and bot. A Telegram file id works only for the bot that received it,
 * so each row names the bot (the number before the colon in its token); after a token change the row no longer
 * plays, and the 🔊 button is hidden until someone records again.
 */
export const voiceRecordings = sqliteTable(
  "voice_recordings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    target: text("target").notNull(),
    botKey: text("bot_key").notNull(),
    fileId: text("file_id").notNull(),
    /** Seconds. */
    duration: integer("duration").notNull(),
    /** The speaker's initials, shown with the recording. */
    speaker: text("speaker").notNull(),
    /** The day it was attached (YYYY-MM-DD, in the programme's time zone). */
    recordedOn: text("recorded_on").notNull(),
    /** The staff member who attached it. */
    addedBy: integer("added_by").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [uniqueIndex("voice_recordings_target_bot").on(t.target, t.botKey)],
);

/**
 * Audio files shipped in the repository (flows/audio/recordings.yaml), once uploaded to a bot: Telegram's file id for
 * them, by bot and by the file's content hash (an edited file is uploaded again).
 */
export const shippedVoiceUploads = sqliteTable(
  "shipped_voice_uploads",
  {
    botKey: text("bot_key").notNull(),
    sha256: text("sha256").notNull(),
    fileId: text("file_id").notNull(),
    uploadedAt: integer("uploaded_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.botKey, t.sha256] })],
);

/**
 * A content member's voice notes sent to the bot and not yet on a page: the console offers them to attach (a page
 * chosen from a list rather than typed). Forgotten once attached, and after the retention period.
 */
export const voiceDrafts = sqliteTable(
  "voice_drafts",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    botKey: text("bot_key").notNull(),
    staffId: integer("staff_id").notNull(),
    fileId: text("file_id").notNull(),
    duration: integer("duration").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("voice_drafts_staff").on(t.staffId, t.createdAt)],
);

// The tables below coordinate several instances on one PostgreSQL database (src/cluster/). On SQLite, where one
// process holds the database (src/db/lock.ts), they stay empty.

/** Which instance handles a lane's (a chat's) updates, until when (src/cluster/lane-leases.ts). */
export const laneLeases = sqliteTable("lane_leases", {
  lane: text("lane").primaryKey(),
  holder: text("holder").notNull(),
  leaseUntil: integer("lease_until").notNull(),
});

/** Scheduled jobs' ticks, each claimed by the one instance that runs it (src/cluster/job-ticks.ts). */
export const jobTicks = sqliteTable(
  "job_ticks",
  {
    job: text("job").notNull(),
    /** When the tick was scheduled (epoch ms), the same on every instance. */
    tick: integer("tick").notNull(),
    holder: text("holder").notNull(),
    claimedAt: integer("claimed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.job, t.tick] })],
);

/**
 * The bot's sending pace shared by its instances (src/cluster/send-pace.ts): when its next message is due, and until
 * when Telegram asked it to wait (429 retry_after).
 */
export const botSendPace = sqliteTable("bot_send_pace", {
  bot: text("bot").primaryKey(),
  due: integer("due").notNull(),
  holdUntil: integer("hold_until").notNull(),
});

/** Each chat's sending pace shared by the bot's instances (src/cluster/send-pace.ts); pruned once past. */
export const chatSendPace = sqliteTable("chat_send_pace", {
  chatId: integer("chat_id").primaryKey(),
  due: integer("due").notNull(),
});
