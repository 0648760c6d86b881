/**
 * What the outbox holds: a message as an intent (say this text with these buttons, rewrite that message, pass on a
 * resident's message, delete these), already in the reader's language but not yet in any chat platform's wire
 * format. src/telegram/renderer.ts turns each into a Bot API call when it is sent.
 */

/** The longest text one chat message may carry (Telegram: 4096 characters); longer replies are split. */
export const MESSAGE_MAX_CHARS = 4096;

/** One deletion takes at most this many message ids (Telegram's deleteMessages: 100), so 50 messages are one call. */
export const DELETE_MAX_IDS = 100;

/** A button under a message: its label, already translated, and the callback data it sends back. */
export interface MessageButton {
  label: string;
  data: string;
}

/** A staff member named in a message's last line, to be notified by name (a supervisor on an escalation). */
export interface Mention {
  name: string;
  userId: number;
}

export type Message =
  | {
      kind: "text";
      text: string;
      /** Rows of buttons under the message. */
      buttons?: MessageButton[][];
      /** Ask for the reader's phone number with a button of this label; `buttons` then become reply buttons. */
      shareContactLabel?: string;
      /** Sensitive screens: no forwarding or saving, no notification sound. */
      discreet?: boolean;
      mentions?: Mention[];
    }
  /** Rewrites a message the bot sent; its buttons are replaced (none: removed). */
  | { kind: "edit"; messageId: number; text: string; buttons: MessageButton[][] }
  /** Passes on someone's message (a resident's to their caseworker and back) without the bot reading it. */
  | { kind: "relay"; fromChatId: number; messageId: number; protect?: boolean }
  /** Deletes messages from the chat (quick exit). */
  | { kind: "delete"; messageIds: number[] }
  /**
   * A voice recording: by a file id the bot already has, or by uploading a file shipped in the repository (the
   * transport keeps the id Telegram gives it). With both, a refused file id falls back to the upload.
   */
  | {
      kind: "voice";
      fileId?: string;
      upload?: VoiceUpload;
      caption?: string;
      buttons?: MessageButton[][];
      /** A sensitive article's recording: no forwarding or saving, no notification sound. */
      discreet?: boolean;
    };

/** A shipped audio file to upload: its path from the repository root and the SHA-256 of its bytes. */
export interface VoiceUpload {
  file: string;
  sha256: string;
}

export type MessageKind = Message["kind"];
export const MESSAGE_KINDS: readonly MessageKind[] = ["text", "edit", "relay", "delete", "voice"];

/**
 * What a queued message is about, for the feature that queued it: its hooks are found by `kind` (see
 * OutboxHooks), and its rows can be found again (every alert of a case, every reminder of an appointment).
 */
export interface Subject {
  /** e.g. "case", "alert", "reminder". */
  kind: string;
  id: number;
  /** A step within the subject: the escalation round of an alert, the minutes-before of a reminder. */
  rung?: number;
}
