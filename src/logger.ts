/**
 * The service logger (pino). Log lines carry ids, codes and counts; never message text, names or phone numbers.
 * Request URLs have the bot token masked, and known secret fields are redacted.
 */
import pino, { type Logger } from "pino";

const TOKEN_IN_PATH = /\/bot\d+:[A-Za-z0-9_-]+/g;

/** Creates the logger at `level` (default info) writing JSON lines to `destination` (default stdout). */
export function createLogger(level = "info", destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: {
        paths: [
          "token",
          "botToken",
          "secret",
          "*.token",
          "*.secret",
          'req.headers["x-telegram-bot-api-secret-token"]',
          "text",
          "*.text",
          "phone",
          "*.phone",
        ],
        censor: "[redacted]",
      },
      serializers: {
        req: (req: { method: string; url: string }) => ({ method: req.method, url: maskToken(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
    },
    destination,
  );
}

/** Replaces a bot token inside a URL path. */
export function maskToken(url: string): string {
  return url.replace(TOKEN_IN_PATH, "/bot[redacted]");
}
