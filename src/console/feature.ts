/**
 * The staff console's part in the bot: /console in a private chat answers a rostered staff member with a one-time
 * login link, and the ✅ / ❌ under "Log in from ...?" approves or refuses that login (access.ts).
 */
import { text } from "../base/reply.ts";
import { CALLBACK_PREFIXES } from "../engine/callback-data.ts";
import type { ButtonInput, ButtonOutcome, CommandInput, Feature } from "../features/contract.ts";
import type { ConsoleAccess } from "./access.ts";

export const CONSOLE_TEXT_KEYS = [
  "console.link",
  "console.not_set_up",
  "console.approve_question",
  "console.approve_yes",
  "console.approve_no",
  "console.approved",
  "console.refused",
  "console.login_stale",
] as const;

export interface ConsoleFeatureOptions {
  access: ConsoleAccess;
  /** The console's origin (config.console.url); without it /console says the console is not set up. */
  url: () => string | undefined;
}

export function createConsoleFeature(options: ConsoleFeatureOptions): Feature {
  async function consoleLink({ userId }: CommandInput) {
    const origin = options.url();
    if (!origin) return { text: [text("console.not_set_up")] };
    const token = await options.access.startLogin(userId);
    return { text: [text("console.link", { url: `${origin}/console/login/${token}` })], discreet: true };
  }

  async function answer({ userId, data }: ButtonInput): Promise<ButtonOutcome> {
    const [, id, verb] = data.split(":");
    const loginId = Number(id);
    if (!Number.isSafeInteger(loginId) || (verb !== "y" && verb !== "n"))
      return { notice: text("console.login_stale") };
    const result = await options.access.answer(loginId, userId, verb === "y");
    if (result === "stale")
      return { notice: text("console.login_stale"), edit: { text: [text("console.login_stale")] } };
    const key = result === "approved" ? "console.approved" : "console.refused";
    return { notice: text(key), edit: { text: [text(key)] } };
  }

  return {
    name: "console",
    textKeys: CONSOLE_TEXT_KEYS,
    commands: [{ name: "console", where: "private", permission: "use_console", run: consoleLink }],
    buttons: [{ prefix: CALLBACK_PREFIXES.console, press: answer }],
    purge: async () => ({ consoleLogins: await options.access.purge() }),
  };
}
