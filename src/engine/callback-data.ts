/**
 * Callback data carried by inline buttons. Telegram allows 1-64 bytes; Spean uses short ASCII tokens:
 *
 *   c:<step>:<choice>   a menu choice on the screen shown at <step> (base 36)
 *   b:<step>            Back from the screen shown at <step>
 *   m                   Main menu (valid on any screen, however old)
 *   e                   Emergency numbers (valid on any screen, however old)
 *   x                   Quick exit (valid on any screen, however old; handled before the engine)
 *   a:<verb>:<id>       A resident's answer on an appointment reminder (booking; the engine asks the feature)
 *   k:<verb>:<id>       A caseworker's button on a case (referrals)
 *   v:<verb>:<id>       A counsellor's button on an appointment (booking)
 *   w:<verb>:<id>       A reviewer's button on a wording taught to the search (knowledge)
 *   n:<step>[:...]      The community-needs survey (programme; answers so far in the data, never stored)
 *   p:<verb>            A resident's answer after sending a voice note or photo (referrals: y, u, n)
 *   o:<page>            🔊 Listen to the recording of a page (recordings: article:<id>, screen:start...)
 *
 * A choice or Back whose step is not the conversation's current step is stale: the user pressed a button on an
 * older message.
 */
import { utf8Length } from "../khmer/text.ts";

export const CALLBACK_DATA_MAX_BYTES = 64;

/** Every prefix Spean writes into callback data, and who owns it. A feature's buttons name theirs from here. */
export const CALLBACK_PREFIXES = {
  /** The engine's own buttons. */
  choice: "c",
  back: "b",
  menu: "m",
  emergency: "e",
  exit: "x",
  /** Booking: "I will come" / "change" / "cancel" on a reminder. */
  appointment: "a",
  /** Referrals: Claim, Resolve, Talk, End, Could not reach, Show contact. */
  casework: "k",
  /** Booking: a counsellor's attended / no-show / phone buttons. */
  counsellor: "v",
  /** Privacy: "Yes, erase everything" / "No, keep it" after /forget. */
  privacy: "f",
  /** Knowledge: a reviewer's ✅ / ❌ on a wording taught to the search. */
  wording: "w",
  /** Console: a staff member's ✅ / ❌ on a login to the staff console. */
  console: "l",
  /** Programme: the anonymous community-needs survey (its answers so far ride in the data; see programme/needs.ts). */
  needs: "n",
  /** Referrals: "let a caseworker listen" / "I need help now" / "no" after a resident's voice note or photo. */
  person: "p",
  /** Recordings: 🔊 Listen under an article or key screen (valid on any screen, however old). */
  listen: "o",
} as const;

export type CallbackPrefix = (typeof CALLBACK_PREFIXES)[keyof typeof CALLBACK_PREFIXES];
/** Choice ids in flows: lower-case ASCII so that they stay short and safe in callback data. */
export const CHOICE_ID_PATTERN = /^[a-z0-9_]{1,24}$/;

export type CallbackAction =
  | { kind: "choice"; step: number; choice: string }
  | { kind: "back"; step: number }
  | { kind: "menu" }
  | { kind: "emergency" }
  | { kind: "exit" };

/** Encodes an action as callback data. */
export function encodeCallback(action: CallbackAction): string {
  switch (action.kind) {
    case "choice":
      return `${CALLBACK_PREFIXES.choice}:${action.step.toString(36)}:${action.choice}`;
    case "back":
      return `${CALLBACK_PREFIXES.back}:${action.step.toString(36)}`;
    default:
      return CALLBACK_PREFIXES[action.kind];
  }
}

/** Decodes callback data; anything Spean did not write (or wrote in an older format) gives undefined. */
export function decodeCallback(data: string): CallbackAction | undefined {
  for (const kind of ["menu", "emergency", "exit"] as const) if (data === CALLBACK_PREFIXES[kind]) return { kind };
  const choice = /^c:([0-9a-z]{1,11}):([a-z0-9_]{1,24})$/.exec(data);
  if (choice) return { kind: "choice", step: Number.parseInt(choice[1] as string, 36), choice: choice[2] as string };
  const back = /^b:([0-9a-z]{1,11})$/.exec(data);
  if (back) return { kind: "back", step: Number.parseInt(back[1] as string, 36) };
  return undefined;
}

/** True when the data fits Telegram's limit (1-64 bytes). */
export function fitsCallbackLimit(data: string): boolean {
  const bytes = utf8Length(data);
  return bytes >= 1 && bytes <= CALLBACK_DATA_MAX_BYTES;
}

/** Callback data `<prefix>:<verb code>:<id in base 36>`, the shape of every feature button. */
export function encodeVerbButton(prefix: CallbackPrefix, code: string, id: number): string {
  return `${prefix}:${code}:${id.toString(36)}`;
}

/** Reads `<prefix>:<one-letter code>:<id in base 36>`; undefined for anything else. */
export function decodeVerbButton(prefix: CallbackPrefix, data: string): { code: string; id: number } | undefined {
  const match = /^([a-z]):([a-z]):([0-9a-z]{1,11})$/.exec(data);
  if (!match || match[1] !== prefix) return undefined;
  return { code: match[2] as string, id: Number.parseInt(match[3] as string, 36) };
}
