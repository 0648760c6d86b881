/**
 * Sandbox mode: a fake Telegram in the same process, with two residents, a staff group and made-up staff, so that
 * the whole service can be tried from the browser without a bot token.
 */
import { SANDBOX_STAFF_CHAT_ID } from "../config.ts";
import { FakeTelegram } from "../sandbox/fake-telegram.ts";

/** The sandbox's made-up bot token (the fake Bot API accepts only this one). */
export const SANDBOX_TOKEN = "1000000001:sandbox-token-not-a-real-telegram-bot";

/** Made-up staff for the sandbox: registered at start-up so the whole referral loop can be tried on the page. */
export const SANDBOX_STAFF = [
  { id: 2001, name: "Bopha", role: "caseworker" },
  { id: 2002, name: "Vanna", role: "supervisor" },
] as const;

/**
 * The sandbox's clock: real time plus an offset that only moves forward, through the sandbox API (to try
 * reminders, escalations and session expiry without waiting). Never used outside sandbox mode.
 */
export function createSandboxClock() {
  let offsetMs = 0;
  return {
    now: () => Date.now() + offsetMs,
    /** Moves the clock `ms` forward; returns the total offset. */
    advance(ms: number): number {
      offsetMs += ms;
      return offsetMs;
    },
  };
}

/** The fake Telegram for sandbox mode, on `now` (default Date.now). */
export function createSandboxTelegram(now: () => number = Date.now): FakeTelegram {
  const fake = new FakeTelegram({ token: SANDBOX_TOKEN, now });
  fake.addUser({ id: 1001, first_name: "សុខា Sokha", language_code: "km" });
  fake.addUser({ id: 1002, first_name: "ដារា Dara", language_code: "km" });
  fake.addGroup(SANDBOX_STAFF_CHAT_ID, "Spean staff");
  for (const member of SANDBOX_STAFF) fake.addUser({ id: member.id, first_name: member.name, language_code: "km" });
  return fake;
}
