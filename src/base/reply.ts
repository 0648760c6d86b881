/**
 * What the engine says, independent of Telegram: text as locale keys with parameters, and buttons.
 * src/telegram/renderer.ts turns these into Bot API calls; the sandbox shows the same calls.
 */

/**
 * A parameter value: plain, another text to translate first (for names inside a sentence), or several texts to
 * translate and put on separate lines (for a card whose lines depend on the data).
 */
export type TextParam = string | number | TextRef | TextRef[];

/** A reference to a locale string: `key` is "file.path.to.key" under locales/<lang>/. */
export interface TextRef {
  key: string;
  params?: Record<string, TextParam>;
}

export interface Button {
  label: TextRef;
  /** Callback data: short ASCII, at most 64 bytes (see callback-data.ts). */
  data: string;
}

export interface Reply {
  /** Paragraphs, joined with a blank line. */
  text: TextRef[];
  /** Rows of inline buttons. */
  buttons?: Button[][];
  /** Show Telegram's "share my phone number" keyboard button (private chats only). */
  requestContact?: TextRef;
  /** Sensitive screens: no forwarding or saving, and no notification sound. */
  discreet?: boolean;
}

/** Shorthand for a {@link TextRef}. */
export function text(key: string, params?: Record<string, TextParam>): TextRef {
  return params ? { key, params } : { key };
}
