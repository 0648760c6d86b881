/**
 * The staff console over Fastify's inject, as a browser would use it: cookies kept between requests, login through
 * the bot harness (open the link, approve in Telegram, open again), and the CSRF token read from a page.
 */
import type { FastifyInstance } from "fastify";
import { expect } from "vitest";
import { buildApp } from "../../src/http/app.ts";
import { createLogger } from "../../src/logger.ts";
import type { Harness } from "./harness.ts";

export const CHROME_ANDROID =
  "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";

/** The service's HTTP app with the console over the harness's core (CONSOLE_URL https://console.example.org). */
export function buildConsoleApp(h: Harness): Promise<FastifyInstance> {
  return buildApp({
    logger: createLogger("silent"),
    health: () => ({}),
    console: {
      console: h.core.console,
      translator: h.core.content.translator,
      directory: h.core.content.directory,
      defaultLocale: "km",
      timeZone: "Asia/Phnom_Penh",
      now: h.core.now,
      commit: (work) => h.core.commits.run(work),
      sendNow: async (ids) => void (await h.side.sender.deliverNow([...ids])),
      secureCookies: true,
      loginsPerMinute: 1000,
    },
  });
}

/** Cookies a browser keeps: name → value, from Set-Cookie headers (a cleared cookie is removed). */
export class Browser {
  cookies = new Map<string, string>();
  constructor(
    readonly app: () => FastifyInstance,
    readonly userAgent = CHROME_ANDROID,
  ) {}
  take(headers: Record<string, unknown>) {
    const raw = headers["set-cookie"];
    for (const line of Array.isArray(raw) ? raw : raw ? [raw] : []) {
      const [pair] = String(line).split(";");
      const [name, value] = (pair as string).split("=");
      if (!value) this.cookies.delete(name as string);
      else this.cookies.set(name as string, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  }
  async get(url: string) {
    const res = await this.app().inject({
      method: "GET",
      url,
      headers: { cookie: this.header(), "user-agent": this.userAgent },
    });
    this.take(res.headers);
    return res;
  }
  async post(url: string, form: Record<string, string>) {
    const res = await this.app().inject({
      method: "POST",
      url,
      headers: { cookie: this.header(), "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams(form).toString(),
    });
    this.take(res.headers);
    return res;
  }
}

/** The login link the bot gives `userId` for /console. */
export async function linkFor(h: Harness, userId: number): Promise<string> {
  await h.sayAs(userId, "/console");
  const reply = h.fake.botMessages(userId).at(-1)?.text ?? "";
  const match = /https:\/\/console\.example\.org(\/console\/login\/\S+)/.exec(reply);
  if (!match) throw new Error(`no link in: ${reply}`);
  return match[1] as string;
}

/** Logs `userId` in through the bot: open the link, approve in Telegram, open again. */
export async function logIn(h: Harness, browser: Browser, userId: number): Promise<Browser> {
  const link = await linkFor(h, userId);
  await browser.get(link);
  await h.deliverQueued();
  await h.pressAs(userId, userId, "✅ បាទ/ចាស គឺខ្ញុំ");
  const done = await browser.get(link);
  expect(done.statusCode).toBe(303);
  return browser;
}

export const csrfOf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "";
/** A page without its CSRF tokens, whose random hex may hold any digits (for "never shows this id" checks). */
export const withoutTokens = (body: string) => body.replace(/name="_csrf" value="[^"]*"/g, "");
