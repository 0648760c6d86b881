/**
 * The service configuration: the only module that reads `process.env`. {@link loadConfig} parses the environment
 * once, reports every problem at the same time, and returns a frozen object that is passed down to every factory.
 */
import { dirname, join } from "node:path";
import { z } from "zod";
import { SpeanError } from "./base/errors.ts";
import { DEFAULT_TIME_ZONE } from "./base/time.ts";

/** Sandbox mode's encryption key. Public on purpose: the sandbox only ever holds made-up conversations. */
export const SANDBOX_ENCRYPTION_KEY = "c2FuZGJveC1vbmx5LWtleS1uZXZlci1yZWFsLWRhdGE=";

/** The sandbox's staff group (a chat of the fake Telegram). */
export const SANDBOX_STAFF_CHAT_ID = -1001;

const OFFICIAL_API_ROOT = "https://api.telegram.org";

const integer = (min: number, max: number) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const CLOCK = "([01]\\d|2[0-3]):[0-5]\\d";
/** A local clock time such as 07:30, kept as text. */
const clockText = (example: string) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^${CLOCK}$`), `must look like ${example}`);
/** A range of local clock times such as 08:00-17:00, as [start, end] minutes after midnight. */
const clockRange = (example: string) =>
  z
    .string()
    .trim()
    .regex(new RegExp(`^${CLOCK}-${CLOCK}$`), `must look like ${example}`)
    .transform((range) => range.split("-").map(minutesOf) as [number, number]);

const emptyAsUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(emptyAsUndefined, schema.optional());

const envSchema = z
  .object({
    BOT_TOKEN: optional(
      z
        .string()
        .trim()
        .regex(/^\d{1,20}:[A-Za-z0-9_-]{20,}$/, "must look like 123456789:AA... (from @BotFather)"),
    ),
    TELEGRAM_API_ROOT: optional(
      z
        .string()
        .trim()
        .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL")
        .transform((url) => url.replace(/\/+$/, "")),
    ),
    WEBHOOK_URL: optional(
      z
        .string()
        .trim()
        .regex(/^https?:\/\/[^\s]+$/, "must be an http(s) URL"),
    ),
    CONSOLE_URL: optional(
      z
        .string()
        .trim()
        .regex(/^https?:\/\/[^\s/]+$/, "must be an origin like https://spean.example.org (no path)"),
    ),
    CONSOLE_IDLE_MINUTES: optional(integer(5, 24 * 60)),
    CONSOLE_MAX_HOURS: optional(integer(1, 7 * 24)),
    CASE_CONTENT_DAYS: optional(integer(1, 3650)),
    WEBHOOK_SECRET: optional(
      z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "must be 1-256 characters of A-Z, a-z, 0-9, _ and -"),
    ),
    PORT: optional(integer(0, 65535)),
    HOST: optional(z.string().trim().min(1)),
    SANDBOX_ALLOW_NETWORK: optional(z.enum(["yes", "no"])),
    DATABASE_PATH: optional(z.string().trim().min(1)),
    // PostgreSQL instead of the SQLite file. Checked for its scheme only: the URL holds a password, and no message
    // may repeat it.
    DATABASE_URL: optional(
      z
        .string()
        .refine(
          (url) => /^postgres(ql)?:\/\/[^\s]+$/.test(url),
          "must be a PostgreSQL URL: postgres://user:password@host:5432/database",
        ),
    ),
    CLUSTER_LEASE_SECONDS: optional(integer(1, 60)),
    CLUSTER_SENDING_STALE_SECONDS: optional(integer(1, 3600)),
    DEFAULT_LOCALE: optional(z.enum(["km", "en"], "must be km or en")),
    TIME_ZONE: optional(
      z.string().refine((zone) => isTimeZone(zone), "must be an IANA time zone such as Asia/Phnom_Penh"),
    ),
    STAFF_CHAT_ID: optional(integer(-(10 ** 15), 10 ** 15)),
    RETENTION_DAYS: optional(integer(1, 3650)),
    SHUTDOWN_GRACE_SECONDS: optional(integer(1, 300)),
    LOG_LEVEL: optional(z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"])),
    ENCRYPTION_KEY: optional(keyText()),
    ENCRYPTION_KEY_PREVIOUS: optional(keyText()),
    OUTBOX_RATE_PER_SECOND: optional(integer(1, 30)),
    OUTBOX_CHAT_INTERVAL_MS: optional(integer(0, 60_000)),
    WORKER_CONCURRENCY: optional(integer(1, 64)),
    INBOX_CHAT_LIMIT: optional(integer(1, 1000)),
    METRICS_PORT: optional(integer(1, 65535)),
    METRICS_HOST: optional(z.string().trim().min(1)),
    INBOX_LIMIT: optional(integer(100, 1_000_000)),
    QUICK_EXIT_MESSAGE: optional(z.enum(["neutral", "none"], "must be neutral or none")),
    ESCALATION_URGENT_MINUTES: optional(integer(1, 1440)),
    ESCALATION_NORMAL_WORK_HOURS: optional(integer(1, 40)),
    WORK_HOURS: optional(clockRange("08:00-17:00").refine(([start, end]) => start < end, "must start before it ends")),
    DIGEST_TIME: optional(clockText("07:30")),
    BACKUP_DIR: optional(z.string().trim().min(1)),
    BACKUP_KEEP: optional(integer(1, 365)),
    BACKUP_TIME: optional(clockText("02:30")),
    REMINDER_OFFSETS: optional(
      z
        .string()
        .trim()
        .regex(/^\d{1,4}[hm](\s*,\s*\d{1,4}[hm])*$/, "must look like 24h,2h (hours h or minutes m, comma-separated)")
        .transform((list) =>
          list.split(",").map((item) => Number.parseInt(item, 10) * (item.trim().endsWith("h") ? 60 : 1)),
        )
        .refine((minutes) => minutes.every((m) => m >= 5 && m <= 14 * 1440), "each must be between 5m and 336h")
        .refine((minutes) => new Set(minutes).size === minutes.length, "must not repeat a value"),
    ),
    REMINDER_QUIET_HOURS: optional(
      clockRange("21:00-07:00").refine(([start, end]) => start !== end, "must not start and end at the same time"),
    ),
    REMINDER_LATE_GRACE_MINUTES: optional(integer(1, 720)),
    BOOKING_DAYS_AHEAD: optional(integer(1, 60)),
    BOOKING_MIN_NOTICE_MINUTES: optional(integer(0, 2880)),
    COUNSELLOR_LIST_TIME: optional(clockText("07:00")),
    DEMO_DATA: optional(z.enum(["on", "off"], "must be on or off")),
    PROGRAMME_SESSION_TARGET: optional(integer(1, 1_000_000)),
    PROGRAMME_FAMILY_TARGET: optional(integer(1, 1_000_000)),
    PROGRAMME_START: optional(
      z
        .string()
        .trim()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month such as 2026-01"),
    ),
    SUPPRESS_BELOW: optional(integer(1, 100)),
  })
  .superRefine((env, ctx) => {
    if (env.WEBHOOK_URL && !env.WEBHOOK_SECRET)
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_SECRET"], message: "is required when WEBHOOK_URL is set" });
    if (env.WEBHOOK_SECRET && !env.WEBHOOK_URL)
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "is required when WEBHOOK_SECRET is set" });
    if (env.WEBHOOK_URL && !env.BOT_TOKEN)
      ctx.addIssue({ code: "custom", path: ["BOT_TOKEN"], message: "is required for webhook mode" });
    const official = (env.TELEGRAM_API_ROOT ?? OFFICIAL_API_ROOT) === OFFICIAL_API_ROOT;
    if (env.WEBHOOK_URL && official && !env.WEBHOOK_URL.startsWith("https://"))
      ctx.addIssue({ code: "custom", path: ["WEBHOOK_URL"], message: "must be https:// (Telegram only calls HTTPS)" });
    // The sandbox serves every chat and the fault-injection API without a login: loopback only, unless asked.
    if (!env.BOT_TOKEN && env.HOST && !LOOPBACK_HOSTS.has(env.HOST) && env.SANDBOX_ALLOW_NETWORK !== "yes")
      ctx.addIssue({
        code: "custom",
        path: ["HOST"],
        message:
          "the sandbox (no BOT_TOKEN) shows every chat and has no login, " +
          "so it listens only on 127.0.0.1, ::1 or localhost; " +
          "set SANDBOX_ALLOW_NETWORK=yes to serve it on this address anyway",
      });
    if (env.ENCRYPTION_KEY_PREVIOUS && !env.ENCRYPTION_KEY)
      ctx.addIssue({ code: "custom", path: ["ENCRYPTION_KEY_PREVIOUS"], message: "needs ENCRYPTION_KEY, the new key" });
    if (env.ENCRYPTION_KEY_PREVIOUS && env.ENCRYPTION_KEY_PREVIOUS === env.ENCRYPTION_KEY)
      ctx.addIssue({ code: "custom", path: ["ENCRYPTION_KEY_PREVIOUS"], message: "is the same as ENCRYPTION_KEY" });
    if (env.BOT_TOKEN && !env.ENCRYPTION_KEY)
      ctx.addIssue({
        code: "custom",
        path: ["ENCRYPTION_KEY"],
        message:
          "is required with BOT_TOKEN (real conversations are encrypted at rest); " +
          "make one with: openssl rand -base64 32",
      });
  });

/** A 32-byte random key as base64 or hex (ENCRYPTION_KEY, ENCRYPTION_KEY_PREVIOUS). */
function keyText() {
  return z
    .string()
    .trim()
    .refine(
      (key) => decodeKey(key) !== undefined,
      "must be 32 bytes as base64 (44 characters) or hex (64), nothing else",
    )
    .refine(
      (key) => decodeKey(key) === undefined || looksRandom(key),
      "must be random, not a passphrase, a word or a repeated pattern: generate one with `openssl rand -base64 32`",
    );
}

/** Addresses that only this machine can reach. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(["127.0.0.1", "::1", "localhost"]);

export type Mode = "sandbox" | "polling" | "webhook";

export interface Config {
  readonly mode: Mode;
  /** Absent in sandbox mode, where the bot talks to the in-process fake Bot API with a made-up token. */
  readonly botToken: string | undefined;
  /** Default https://api.telegram.org; no trailing slash. */
  readonly telegramApiRoot: string;
  readonly webhook: { readonly url: string; readonly secret: string } | undefined;
  /** Default 3000. */
  readonly port: number;
  /** Default 127.0.0.1: the sandbox has no login, so it must not be reachable from other machines by default. */
  readonly host: string;
  /** Default ./data/spean.db (./data/sandbox.db in sandbox mode); the folder is created. Unused with databaseUrl. */
  readonly databasePath: string;
  /** PostgreSQL instead of the SQLite file at databasePath (default unset: SQLite). */
  readonly databaseUrl: string | undefined;
  /** Default km. */
  readonly defaultLocale: "km" | "en";
  /** Default Asia/Phnom_Penh. */
  readonly timeZone: string;
  /** The staff group's chat id (alerts go there); in sandbox mode the fake staff group. */
  readonly staffChatId: number | undefined;
  /** Default 90 days: message text older than this is erased; the rows stay for counting. */
  readonly retentionDays: number;
  /**
   * The staff console (src/console/): the origin its links use (CONSOLE_URL; default the WEBHOOK_URL's origin, or the
   * sandbox's own address; without one, /console says the console is not set up), a session's idle and absolute
   * lifetimes (default 60 minutes, 12 hours), and after how many days a closed case's messages and notes are
   * shown to supervisors only (default 30).
   */
  readonly console: {
    readonly url: string | undefined;
    readonly idleMinutes: number;
    readonly maxHours: number;
    readonly caseContentDays: number;
  };
  /** How long SIGTERM waits for in-flight work before exiting anyway (what is unfinished stays queued). */
  readonly shutdownGraceSeconds: number;
  /** Default info (warn in sandbox mode, so that it prints one line). */
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** 32 bytes for AES-256-GCM. */
  readonly encryptionKey: Buffer;
  /** The key being rotated away from: still read, re-encrypted under encryptionKey by a job (security/rotation.ts). */
  readonly encryptionKeyPrevious: Buffer | undefined;
  /** Default 25 messages per second for everything the outbox sends. */
  readonly outboxRatePerSecond: number;
  /** Default 1000 ms between two outbox messages to the same chat. */
  readonly outboxChatIntervalMs: number;
  /** Default 8 chats handled at the same time (each chat stays in order). */
  readonly workerConcurrency: number;
  /**
   * Several instances on one PostgreSQL database (src/cluster/): how long an instance's lease on a chat lasts
   * without renewal (default 5 s: a dead instance's chats move to the others after it), and after how long a
   * message still marked as being sent is put back (default 60 s, longer than any send may take: an instance
   * died while sending it). Not used on SQLite, which one process holds.
   */
  readonly cluster: { readonly leaseMs: number; readonly sendingStaleMs: number };
  /** Where Prometheus metrics are served (GET /metrics); undefined: not served. */
  readonly metrics: { readonly host: string; readonly port: number } | undefined;
  /** Updates one chat may have waiting; more are dropped and counted, and the chat is asked to wait. */
  readonly inboxChatLimit: number;
  /** Updates the inbox may hold waiting; beyond, the webhook answers 503 and polling waits. */
  readonly inboxLimit: number;
  /** What quick exit leaves in the chat: a neutral greeting (default) or nothing. */
  readonly quickExitMessage: "neutral" | "none";
  /** Default 15: an unclaimed urgent referral is re-posted, mentioning the supervisors, after this many minutes. */
  readonly escalationUrgentMinutes: number;
  /** Default 4: an unclaimed normal referral is re-posted after this many working hours. */
  readonly escalationNormalWorkHours: number;
  /** Working hours as minutes after midnight; default 08:00-17:00, Monday to Friday except public holidays. */
  readonly workHours: readonly [number, number];
  /** Local time of the staff chat's morning digest; default 07:30. */
  readonly digestTime: { readonly hour: number; readonly minute: number };
  /** Where the nightly encrypted backups go; undefined: no backups (BACKUP_DIR=off, or an in-memory database). */
  readonly backupDir: string | undefined;
  /** How many backups are kept (the newest). */
  readonly backupKeep: number;
  /** When the nightly backup runs (local time). */
  readonly backupTime: { readonly hour: number; readonly minute: number };
  /** Reminder rungs in minutes before an appointment, largest first; default 24 h and 2 h. */
  readonly reminderOffsets: readonly number[];
  /** No reminder goes out in these local hours (minutes after midnight); default 21:00-07:00. */
  readonly reminderQuietHours: readonly [number, number];
  /** A reminder sent more than this many minutes after its planned time says it is late; default 15. */
  readonly reminderLateGraceMinutes: number;
  /** How many days ahead (today included) residents can book; default 14. */
  readonly bookingDaysAhead: number;
  /** A slot starting sooner than this cannot be booked; default 60 minutes. */
  readonly bookingMinNoticeMinutes: number;
  /** Local time each counsellor gets their day's list; default 07:00, working days only. */
  readonly counsellorListTime: { readonly hour: number; readonly minute: number };
  /** Fictional demo counsellors: on by default in sandbox mode, off otherwise unless DEMO_DATA=on. */
  readonly demoData: boolean;
  /** What /sessions measures progress against; default 2,700 attended sessions for 150 families. */
  readonly programmeTargets: { readonly sessions: number; readonly families: number };
  /** The programme's first month (YYYY-MM): where the results page's period starts by default; default 2026-01. */
  readonly programmeStart: string;
  /** Counts from 1 to this − 1 are hidden in results, exports and the CIP report; default 5 (1 turns it off). */
  readonly suppressBelow: number;
}

/** Raised by {@link loadConfig}; `problems` holds one line per variable, ready to print. */
export class ConfigError extends SpeanError {
  constructor(readonly problems: string[]) {
    super("SPEAN_CONFIG_INVALID", `invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
  }
}

/**
 * Parses the environment (default `process.env`) into a frozen {@link Config}.
 * @throws {ConfigError} listing every problem at once.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "environment"} ${issue.message}`);
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const mode: Mode = !e.BOT_TOKEN ? "sandbox" : e.WEBHOOK_URL ? "webhook" : "polling";
  const databasePath = e.DATABASE_PATH ?? (mode === "sandbox" ? "./data/sandbox.db" : "./data/spean.db");
  return Object.freeze({
    mode,
    botToken: e.BOT_TOKEN,
    telegramApiRoot: e.TELEGRAM_API_ROOT ?? OFFICIAL_API_ROOT,
    webhook:
      e.WEBHOOK_URL && e.WEBHOOK_SECRET ? Object.freeze({ url: e.WEBHOOK_URL, secret: e.WEBHOOK_SECRET }) : undefined,
    port: e.PORT ?? 3000,
    host: e.HOST ?? "127.0.0.1",
    databasePath,
    databaseUrl: e.DATABASE_URL,
    defaultLocale: e.DEFAULT_LOCALE ?? "km",
    timeZone: e.TIME_ZONE ?? DEFAULT_TIME_ZONE,
    staffChatId: e.STAFF_CHAT_ID ?? (mode === "sandbox" ? SANDBOX_STAFF_CHAT_ID : undefined),
    retentionDays: e.RETENTION_DAYS ?? 90,
    console: Object.freeze({
      url: e.CONSOLE_URL ?? (e.WEBHOOK_URL ? new URL(e.WEBHOOK_URL).origin : undefined),
      idleMinutes: e.CONSOLE_IDLE_MINUTES ?? 60,
      maxHours: e.CONSOLE_MAX_HOURS ?? 12,
      caseContentDays: e.CASE_CONTENT_DAYS ?? 30,
    }),
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS ?? 10,
    logLevel: e.LOG_LEVEL ?? (mode === "sandbox" ? "warn" : "info"),
    encryptionKey: decodeKey(e.ENCRYPTION_KEY ?? SANDBOX_ENCRYPTION_KEY) as Buffer,
    encryptionKeyPrevious: e.ENCRYPTION_KEY_PREVIOUS ? decodeKey(e.ENCRYPTION_KEY_PREVIOUS) : undefined,
    outboxRatePerSecond: e.OUTBOX_RATE_PER_SECOND ?? 25,
    outboxChatIntervalMs: e.OUTBOX_CHAT_INTERVAL_MS ?? 1000,
    workerConcurrency: e.WORKER_CONCURRENCY ?? 8,
    cluster: Object.freeze({
      leaseMs: (e.CLUSTER_LEASE_SECONDS ?? 5) * 1000,
      sendingStaleMs: (e.CLUSTER_SENDING_STALE_SECONDS ?? 60) * 1000,
    }),
    inboxChatLimit: e.INBOX_CHAT_LIMIT ?? 20,
    metrics: e.METRICS_PORT ? Object.freeze({ host: e.METRICS_HOST ?? "127.0.0.1", port: e.METRICS_PORT }) : undefined,
    inboxLimit: e.INBOX_LIMIT ?? 10_000,
    quickExitMessage: e.QUICK_EXIT_MESSAGE ?? "neutral",
    escalationUrgentMinutes: e.ESCALATION_URGENT_MINUTES ?? 15,
    escalationNormalWorkHours: e.ESCALATION_NORMAL_WORK_HOURS ?? 4,
    workHours: Object.freeze(e.WORK_HOURS ?? [8 * 60, 17 * 60]) as readonly [number, number],
    digestTime: Object.freeze(clockTime(e.DIGEST_TIME ?? "07:30")),
    backupDir: backupDirOf(e.BACKUP_DIR, databasePath),
    backupKeep: e.BACKUP_KEEP ?? 7,
    backupTime: Object.freeze(clockTime(e.BACKUP_TIME ?? "02:30")),
    reminderOffsets: Object.freeze([...(e.REMINDER_OFFSETS ?? [1440, 120])].sort((a, b) => b - a)),
    reminderQuietHours: Object.freeze(e.REMINDER_QUIET_HOURS ?? [21 * 60, 7 * 60]) as readonly [number, number],
    reminderLateGraceMinutes: e.REMINDER_LATE_GRACE_MINUTES ?? 15,
    bookingDaysAhead: e.BOOKING_DAYS_AHEAD ?? 14,
    bookingMinNoticeMinutes: e.BOOKING_MIN_NOTICE_MINUTES ?? 60,
    counsellorListTime: Object.freeze(clockTime(e.COUNSELLOR_LIST_TIME ?? "07:00")),
    demoData: (e.DEMO_DATA ?? (mode === "sandbox" ? "on" : "off")) === "on",
    programmeTargets: Object.freeze({
      sessions: e.PROGRAMME_SESSION_TARGET ?? 2700,
      families: e.PROGRAMME_FAMILY_TARGET ?? 150,
    }),
    programmeStart: e.PROGRAMME_START ?? "2026-01",
    suppressBelow: e.SUPPRESS_BELOW ?? 5,
  });
}

/** "07:30" → { hour: 7, minute: 30 }. */
/** BACKUP_DIR, or `backups/` beside the database; none for "off" or an in-memory database. */
function backupDirOf(setting: string | undefined, databasePath: string): string | undefined {
  if (setting === "off" || (setting === undefined && databasePath === ":memory:")) return undefined;
  return setting ?? join(dirname(databasePath), "backups");
}

function clockTime(time: string): { hour: number; minute: number } {
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  return { hour, minute };
}

/** "07:30" → 450. */
function minutesOf(time: string): number {
  const { hour, minute } = clockTime(time);
  return hour * 60 + minute;
}

/** 32 bytes written as 64 hex digits or as base64 (43 characters and one "="); anything else is refused. */
function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, "hex");
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) return Buffer.from(text, "base64");
  return undefined;
}

/**
 * Whether a key looks like random bytes rather than something a person chose: at least 20 different byte values
 * (32 random bytes have about 30; all zeros or a repeated pattern have a few), and in base64 the mix of lower and
 * upper case and digits or symbols that random text almost always has (a 43-letter passphrase has not).
 */
function looksRandom(text: string): boolean {
  const bytes = decodeKey(text) as Buffer;
  if (new Set(bytes).size < 20) return false;
  if (/^[0-9a-fA-F]{64}$/.test(text)) return true;
  return /[a-z]/.test(text) && /[A-Z]/.test(text) && /[0-9+/]/.test(text);
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
