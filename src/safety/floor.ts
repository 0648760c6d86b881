/**
 * What the danger classifier must reach on the corpus's test split. The floor is what it reaches now, less a small
 * margin: `npm run eval:danger` exits 1 below it and test/unit/danger-classifier.test.ts asserts it, so a change
 * that makes it worse fails. The target is what issue 11 asks for; the evaluation prints both.
 */
import type { DangerReport, NumberRules } from "./evaluate.ts";
import { FITTING_SERVICES, shownFirst } from "./screens.ts";

/**
 * Measured on the test split (1,960 messages, after the eighteenth and nineteenth rounds) on 2026-12-01: 93.7 %,
 * 85.4 %, 3.0 %, 8.9 % (the split of 1,535 messages gave 93.2 %, 80.4 %, 4.0 %, 10.4 % that morning, and each new
 * round's test share has moved recall by up to a point either way). The floor is these figures less a margin.
 */
export const DANGER_FLOOR = {
  recall: 0.925,
  dangerShare: 0.835,
  falseDanger: 0.04,
  falseCheck: 0.1,
} as const;

/** Issue 11's acceptance, not yet met on the test split (the false check-ins are within it; the rest are short). */
export const DANGER_TARGET = {
  /** Danger messages caught (danger screen or check-in) with a fitting number shown first. */
  recall: 0.98,
  /** Danger messages given the danger screen itself. */
  dangerShare: 0.9,
  /** Near misses given the danger screen. */
  falseDanger: 0.03,
  /** Near misses asked "Are you safe right now?" (answered after one tap). */
  falseCheck: 0.1,
} as const;

/** Which numbers the screens show first, and which fit each kind (from src/safety/screens.ts). */
export const dangerNumberRules: NumberRules = { shownFirst, fitting: (kind) => FITTING_SERVICES[kind] };

/** Whether a report reaches `limits` (default the floor). */
export function meetsFloor(
  report: DangerReport,
  limits: Readonly<Record<keyof typeof DANGER_TARGET, number>> = DANGER_FLOOR,
): boolean {
  return (
    report.recall >= limits.recall &&
    report.dangerShare >= limits.dangerShare &&
    report.falseDanger <= limits.falseDanger &&
    report.falseCheck <= limits.falseCheck
  );
}
