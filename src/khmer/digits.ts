/**
 * Khmer digits (០-៩, U+17E0..U+17E9) and their conversion. Residents type either digit set; everything the bot
 * parses goes through {@link toLatinDigits} first.
 */
const KHMER_ZERO = 0x17e0;
const KHMER_DIGIT = /[\u17e0-\u17e9]/g;
const LATIN_DIGIT = /[0-9]/g;

/** Replaces every Khmer digit with its ASCII digit; other characters are kept. */
export function toLatinDigits(text: string): string {
  return text.replace(KHMER_DIGIT, (d) => String(d.charCodeAt(0) - KHMER_ZERO));
}

/** Replaces every ASCII digit with its Khmer digit; other characters are kept. */
export function toKhmerDigits(text: string): string {
  return text.replace(LATIN_DIGIT, (d) => String.fromCharCode(KHMER_ZERO + Number(d)));
}

/**
 * Parses a whole number typed in Khmer or Latin digits, allowing spaces and thousands separators (",", ".", " ").
 * Returns undefined for anything else (signs, decimals, letters, empty input, more than 15 digits).
 */
export function parseWholeNumber(text: string): number | undefined {
  const compact = toLatinDigits(text.normalize("NFC"))
    .trim()
    .replace(/[\s,.\u200b]/g, "");
  if (!/^\d{1,15}$/.test(compact)) return undefined;
  return Number(compact);
}

/** A number as the locale writes it in prose: Khmer digits for km, ASCII digits otherwise. */
export function localDigits(locale: string, value: number | string): string {
  return locale === "km" ? toKhmerDigits(String(value)) : String(value);
}
