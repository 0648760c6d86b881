/**
 * The minimal normalisation every input goes through before matching: Unicode NFC, invisible characters removed
 * (zero-width space/joiner/non-joiner, BOM, soft hyphen; a zero-width space beside a Latin word is a space), Khmer
 * digits made ASCII, whitespace folded, Latin lower-cased. Pure and total: it never throws, whatever the input (lone
 * surrogates are replaced by U+FFFD).
 */
import { toLatinDigits } from "./digits.ts";

const INVISIBLE = /\u200b|\u200c|\u200d|\u2060|\ufeff|\u00ad/g;
/** A zero-width space beside a Latin letter or a digit: some keyboards put one between romanised words too. */
const LATIN_WORD_BREAK = /(?<=[a-zA-Z0-9])\u200b+|\u200b+(?=[a-zA-Z0-9])/g;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** NFC with invisible characters (zero-width space/joiner/non-joiner, BOM, soft hyphen) removed, trimmed. */
export function visibleText(text: string): string {
  return text
    .replace(LONE_SURROGATE, "\ufffd")
    .normalize("NFC")
    .replace(LATIN_WORD_BREAK, " ")
    .replace(INVISIBLE, "")
    .trim();
}

/** Normalises text for matching (see module comment). Idempotent. */
export function normalizeForMatch(text: string): string {
  return toLatinDigits(visibleText(text)).replace(/\s+/gu, " ").trim().toLowerCase();
}

/** The number of UTF-8 bytes of a string (Telegram's callback_data limit is counted in bytes). */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, "utf8");
}
