/**
 * Cambodian phone numbers as residents type them: Khmer or Latin digits, spaces, dashes, dots, brackets, with or
 * without the +855 / 855 country code. The canonical form is the national one with a leading 0 (e.g. 012345678).
 */
import { toLatinDigits } from "./digits.ts";

/** National numbers: a 0, a non-zero area or operator digit, then 7-8 more digits (9-10 digits in all). */
const NATIONAL = /^0[1-9]\d{7,8}$/;

/** Returns the canonical national form of a Cambodian phone number, or undefined when it is not one. */
export function parseCambodianPhone(text: string): string | undefined {
  let digits = toLatinDigits(text.normalize("NFC")).replace(/[\s\-.()\u200b]/g, "");
  if (digits.startsWith("+855")) digits = `0${digits.slice(4).replace(/^0/, "")}`;
  else if (digits.startsWith("00855")) digits = `0${digits.slice(5).replace(/^0/, "")}`;
  else if (digits.startsWith("855") && digits.length >= 11) digits = `0${digits.slice(3).replace(/^0/, "")}`;
  return NATIONAL.test(digits) ? digits : undefined;
}
