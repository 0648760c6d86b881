/**
 * Errors of the PostgreSQL stores as the rest of Spean expects them. Drizzle's pg dialect wraps every failed query in
 * a DrizzleQueryError whose message holds the SQL and its parameters (chat ids, districts, ciphertexts) and which has
 * no `code`; the SQLite stores, synchronous, throw the driver's error itself. A PostgreSQL store rejects with the
 * driver's error instead: its SQLSTATE is the `code` that errorCode() reports and the inbox records, and its message
 * names the failure, never the values.
 */
import { DrizzleQueryError } from "drizzle-orm";

/** The driver's error inside Drizzle's wrapper; any other value as it is. */
export function unwrapQueryError(err: unknown): unknown {
  return err instanceof DrizzleQueryError && err.cause instanceof Error ? err.cause : err;
}

/**
 * The methods of a PostgreSQL store, each rejecting with the driver's error rather than Drizzle's wrapper (other
 * properties are kept as they are). Every method must return a promise.
 */
export function withDriverErrors<T extends object>(methods: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(methods)) {
    if (typeof value !== "function") {
      wrapped[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = async (...args: unknown[]) => {
      try {
        return await method.apply(methods, args);
      } catch (err) {
        throw unwrapQueryError(err);
      }
    };
  }
  return wrapped as T;
}
