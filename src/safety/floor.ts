/**
 * The floor the danger classifier must meet on the corpus's test split: `npm run eval:danger` exits 1 below it,
 * and test/unit/danger-eval.test.ts asserts it.
 */
import type { DangerReport, NumberRules } from "./evaluate.ts";
import { FITTING_SERVICES, shownFirst } from "./screens.ts";

export const DANGER_FLOOR = {
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

export function meetsFloor(report: DangerReport): boolean {
  return report.recall >= DANGER_FLOOR.recall && report.dangerShare >= DANGER_FLOOR.dangerShare && report.falseDanger <= DANGER_FLOOR.falseDanger && report.falseCheck <= DANGER_FLOOR.falseCheck;
}
