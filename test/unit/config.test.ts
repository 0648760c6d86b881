import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

const TOKEN = "123456789:AAHk0vcc2mJ9vKq1x4cY7Z8s0aRk3XwYtQe";
/** A key as `openssl rand -base64 32` makes one (fixed, so that the tests are repeatable). */
const KEY = "jdY8+OltvMlJHD6Mv/HhPqcCCqh0afI+5lnYCziZHZo=";

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("loadConfig", () => {
  it("runs the sandbox with documented defaults when nothing is set", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      mode: "sandbox",
      port: 3000,
      host: "127.0.0.1",
      defaultLocale: "km",
      timeZone: "Asia/Phnom_Penh",
      retentionDays: 90,
      telegramApiRoot: "https://api.telegram.org",
      outboxRatePerSecond: 25,
      outboxChatIntervalMs: 1000,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it("chooses polling with a token and webhook with a URL and secret", () => {
    expect(loadConfig({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: KEY }).mode).toBe("polling");
    const webhook = loadConfig({
      BOT_TOKEN: TOKEN,
      ENCRYPTION_KEY: KEY,
      WEBHOOK_URL: "https://spean.example.org/tg",
      WEBHOOK_SECRET: "s3cret_-X",
    });
    expect(webhook.mode).toBe("webhook");
    expect(webhook.webhook).toEqual({ url: "https://spean.example.org/tg", secret: "s3cret_-X" });
  });

  it("strips a trailing slash from TELEGRAM_API_ROOT and treats empty values as unset", () => {
    const config = loadConfig({ TELEGRAM_API_ROOT: "http://127.0.0.1:8081/", PORT: "", STAFF_CHAT_ID: "-100123" });
    expect(config.telegramApiRoot).toBe("http://127.0.0.1:8081");
    expect(config.port).toBe(3000);
    expect(config.staffChatId).toBe(-100123);
  });

  it("lists every problem at once, by variable", () => {
    const problems = problemsOf({
      BOT_TOKEN: "not-a-token",
      PORT: "70000",
      DEFAULT_LOCALE: "fr",
      TIME_ZONE: "Mars/Olympus",
      RETENTION_DAYS: "abc",
    });
    expect(problems.join("\n")).toMatch(/BOT_TOKEN/);
    expect(problems.join("\n")).toMatch(/PORT/);
    expect(problems.join("\n")).toMatch(/DEFAULT_LOCALE must be km or en/);
    expect(problems.join("\n")).toMatch(/TIME_ZONE must be an IANA time zone/);
    expect(problems.join("\n")).toMatch(/RETENTION_DAYS must be a whole number/);
    expect(problems.length).toBeGreaterThanOrEqual(5);
  });

  it("takes DATABASE_URL for PostgreSQL, and refuses anything else without repeating it", () => {
    expect(loadConfig({ DATABASE_URL: "postgres://spean:s3cret@db.internal:5432/spean" }).databaseUrl).toBe(
      "postgres://spean:s3cret@db.internal:5432/spean",
    );
    expect(loadConfig({ DATABASE_URL: "postgresql://spean@db.internal/spean" }).databaseUrl).toBeDefined();
    expect(loadConfig({}).databaseUrl).toBeUndefined();
    expect(problemsOf({ DATABASE_URL: "" })).toEqual([]);
    const problems = problemsOf({ DATABASE_URL: "mysql://spean:s3cret@db.internal/spean" });
    expect(problems).toEqual([expect.stringMatching(/^DATABASE_URL must be a PostgreSQL URL/)]);
    expect(problems.join("\n")).not.toContain("s3cret");
  });

  it("requires WEBHOOK_URL and WEBHOOK_SECRET together, with a token", () => {
    expect(problemsOf({ WEBHOOK_URL: "https://x.example/tg" }).join("\n")).toMatch(/WEBHOOK_SECRET is required/);
    expect(problemsOf({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: KEY, WEBHOOK_SECRET: "abc" }).join("\n")).toMatch(
      /WEBHOOK_URL is required/,
    );
    expect(
      problemsOf({
        BOT_TOKEN: TOKEN,
        ENCRYPTION_KEY: KEY,
        WEBHOOK_URL: "https://x.example/tg",
        WEBHOOK_SECRET: "has space",
      }).join("\n"),
    ).toMatch(/WEBHOOK_SECRET must be 1-256 characters/);
  });

  it("refuses plain-http webhooks to the real Telegram but allows them against a local Bot API", () => {
    const env = {
      BOT_TOKEN: TOKEN,
      ENCRYPTION_KEY: KEY,
      WEBHOOK_URL: "http://127.0.0.1:3000/tg",
      WEBHOOK_SECRET: "abc",
    };
    expect(problemsOf(env).join("\n")).toMatch(/must be https/);
    expect(loadConfig({ ...env, TELEGRAM_API_ROOT: "http://127.0.0.1:8081" }).mode).toBe("webhook");
  });

  it("requires an encryption key for real conversations, and checks its size", () => {
    expect(problemsOf({ BOT_TOKEN: TOKEN }).join("\n")).toMatch(/ENCRYPTION_KEY is required/);
    expect(problemsOf({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: "c2hvcnQ=" }).join("\n")).toMatch(/32 bytes/);
    const hex = "3214bc246bc12dc91ad9869fea44cf4497faa86ca470d113b70128e4192a4a24";
    expect(loadConfig({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: hex }).encryptionKey).toEqual(Buffer.from(hex, "hex"));
  });

  it("refuses a key that is not random: zeros, a repeated pattern, a passphrase, base64 with junk", () => {
    const refused = (key: string) => problemsOf({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: key }).join("\n");
    expect(refused("0".repeat(64))).toMatch(/openssl rand -base64 32/);
    expect(refused(Buffer.alloc(32).toString("base64"))).toMatch(/must be random/);
    expect(refused("ab".repeat(32))).toMatch(/must be random/);
    expect(refused("correcthorsebatterystaplecorrecthorsebatter")).toMatch(/must be random/);
    expect(refused(`${KEY.slice(0, 20)}!!${KEY.slice(22)}`)).toMatch(/32 bytes/);
    expect(refused(`${KEY} junk`)).toMatch(/32 bytes/);
  });

  it("takes a previous key for a rotation: a random one, different from the new one, never alone", () => {
    const hex = "3214bc246bc12dc91ad9869fea44cf4497faa86ca470d113b70128e4192a4a24";
    const config = loadConfig({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: KEY, ENCRYPTION_KEY_PREVIOUS: hex });
    expect(config.encryptionKeyPrevious).toEqual(Buffer.from(hex, "hex"));
    expect(problemsOf({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: KEY, ENCRYPTION_KEY_PREVIOUS: KEY }).join("\n")).toMatch(
      /ENCRYPTION_KEY_PREVIOUS is the same as ENCRYPTION_KEY/,
    );
    expect(problemsOf({ ENCRYPTION_KEY_PREVIOUS: hex }).join("\n")).toMatch(/needs ENCRYPTION_KEY/);
    expect(
      problemsOf({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: KEY, ENCRYPTION_KEY_PREVIOUS: "0".repeat(64) }).join("\n"),
    ).toMatch(/must be random/);
  });

  it("keeps the sandbox on loopback unless told otherwise", () => {
    expect(problemsOf({ HOST: "0.0.0.0" }).join("\n")).toMatch(/SANDBOX_ALLOW_NETWORK=yes/);
    expect(loadConfig({ HOST: "0.0.0.0", SANDBOX_ALLOW_NETWORK: "yes" }).host).toBe("0.0.0.0");
    expect(loadConfig({ HOST: "::1" }).host).toBe("::1");
    expect(loadConfig({ BOT_TOKEN: TOKEN, ENCRYPTION_KEY: KEY, HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
  });
});
