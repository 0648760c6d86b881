/**
 * Callback data carried by inline buttons. Telegram allows 1-64 bytes; Spean uses short ASCII tokens:
 *
 *   c:<step>:<choice>   a menu choice on the screen shown at <step> (base 36)
 *   b:<step>            Back from the screen shown at <step>
 *   m                   Main menu (valid on any screen, however old)
 *   e                   Emergency numbers (valid on any screen, however old)
 *   x                   Quick exit (valid on any screen, however old; handled before the engine)
 *
 * A choice or Back whose step is not the conversation's current step is stale: the user pressed a button on an
 * older message.
 */
import { utf8Length } from "../khmer/text.ts";

export const CALLBACK_DATA_MAX_BYTES = 64;
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
      return `c:${action.step.toString(36)}:${action.choice}`;
    case "back":
      return `b:${action.step.toString(36)}`;
    case "menu":
      return "m";
    case "emergency":
      return "e";
    case "exit":
      return "x";
  }
}

/** Decodes callback data; anything Spean did not write (or wrote in an older format) gives undefined. */
export function decodeCallback(data: string): CallbackAction | undefined {
  if (data === "m") return { kind: "menu" };
  if (data === "e") return { kind: "emergency" };
  if (data === "x") return { kind: "exit" };
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
