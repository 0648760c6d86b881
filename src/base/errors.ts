/**
 * The catalog of Spean's own errors. Each has a stable code that staff can search for in logs; the user never sees
 * the code, only a short, kind message chosen by the layer that talks to them.
 */
export const ERROR_CODES = {
  SPEAN_CONFIG_INVALID: "the environment does not describe a valid configuration",
  SPEAN_FLOW_INVALID: "a flow file is malformed or refers to something that does not exist",
  SPEAN_LOCALE_INVALID: "a locale file cannot be read",
  SPEAN_CONTENT_INVALID: "the content (flows, locales, directory) failed its checks",
  SPEAN_ACTION_UNKNOWN: "a flow names an action that is not registered",
  SPEAN_ACTION_FAILED: "a flow action threw while handling an update",
  SPEAN_UPDATE_FAILED: "handling an update threw; it will be retried",
  SPEAN_UPDATE_ALREADY_DONE: "an update was handled elsewhere meanwhile (another instance); this handling is undone",
  SPEAN_UPDATE_QUARANTINED: "an update failed too many times and was set aside",
  SPEAN_SEND_FAILED: "a message to Telegram could not be sent",
  SPEAN_CRYPTO_FAILED: "an encrypted field could not be decrypted (wrong key or corrupted data)",
  SPEAN_KEY_MISMATCH: "ENCRYPTION_KEY is not the key this database was written with",
  SPEAN_DATABASE_IN_USE: "another Spean process is using this database",
  SPEAN_TURN_LIMIT: "a flow ran too many steps without waiting for the user (a loop)",
  SPEAN_SLOT_TAKEN: "the counsellor's time slot is already held by another appointment",
  SPEAN_BACKUP_INVALID: "a backup file cannot be restored (altered, incomplete, another key, or not a database)",
  SPEAN_POSTGRES_UNREACHABLE: "the PostgreSQL server cannot be reached, or refused the login",
  SPEAN_COPY_REFUSED: "the database copy cannot start (the target is not empty, or the source is in use)",
  SPEAN_COPY_FAILED: "PostgreSQL refused a row of the copy (nothing was committed)",
  SPEAN_COPY_MISMATCH: "a copied table does not hold the same rows as its source",
  SPEAN_FEATURE_CONFLICT: "two features register the same flow name or callback prefix (a programming error)",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error with a stable code and optional context that is safe to log (never user text). */
export class SpeanError extends Error {
  override readonly name = "SpeanError";
  constructor(
    readonly code: ErrorCode,
    message: string = ERROR_CODES[code],
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * Whether an error means the disk (or the database's size limit) is full: SQLite's SQLITE_FULL, PostgreSQL's
 * disk_full (SQLSTATE 53100), or the operating system's ENOSPC. Work that meets it waits and is tried again; it never
 * counts as the work's own failure.
 */
export function isDiskFull(err: unknown): boolean {
  const code = errorCode(err);
  return code === "SQLITE_FULL" || code === "ENOSPC" || code === "SQLITE_IOERR_WRITE" || code === "53100";
}

/** The stable code of any thrown value, for logs and for the inbox's last_error column (a SQLSTATE for PostgreSQL). */
export function errorCode(err: unknown): string {
  if (err instanceof SpeanError) return err.code;
  if (err && typeof err === "object" && "error_code" in err) return `TELEGRAM_${String(err.error_code)}`;
  if (err && typeof err === "object" && "code" in err && typeof err.code === "string") return err.code;
  return "UNEXPECTED";
}
