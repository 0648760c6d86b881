/**
 * Checking a typed answer to an `ask` node. Khmer digits are accepted everywhere.
 */
import { calendarDateIn, compareDates, toIsoDate } from "../base/calendar-date.ts";
import { parseDayMonthYear } from "../khmer/dates.ts";
import { parseWholeNumber } from "../khmer/digits.ts";
import { parseCambodianPhone } from "../khmer/phone.ts";
import { normalizeForMatch, visibleText } from "../khmer/text.ts";
import type { AskNode } from "./flow-schema.ts";

export type Answer = { ok: true; value: string | number } | { ok: false };

const TEXT_DEFAULT_MAX = 500;

/** Validates `input` for `node` at time `now` in `timeZone`; returns the value to store. */
export function checkAnswer(node: AskNode, input: string, now: Date, timeZone: string): Answer {
  switch (node.input) {
    case "text": {
      // Invisible characters alone are not an answer (a zero-width space is not a name).
      const value = visibleText(input);
      const length = [...value].length;
      const ok = length >= (node.min ?? 1) && length <= (node.max ?? TEXT_DEFAULT_MAX);
      return ok ? { ok, value } : { ok: false };
    }
    case "number": {
      const value = parseWholeNumber(input);
      if (value === undefined) return { ok: false };
      if (node.min !== undefined && value < node.min) return { ok: false };
      if (node.max !== undefined && value > node.max) return { ok: false };
      return { ok: true, value };
    }
    case "phone": {
      const value = parseCambodianPhone(input);
      return value ? { ok: true, value } : { ok: false };
    }
    case "date": {
      const today = calendarDateIn(now, timeZone);
      const date = parseDayMonthYear(normalizeForMatch(input), today.year);
      if (!date || (node.future_only && compareDates(date, today) < 0)) return { ok: false };
      return { ok: true, value: toIsoDate(date) };
    }
  }
}
