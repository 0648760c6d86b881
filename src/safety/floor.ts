/**
 * What the danger classifier must reach on the corpus's test split. The floor is what it reaches now, less a small
 * margin: `npm run eval:danger` exits 1 below it and test/unit/danger-classifier.test.ts asserts it, so a change
 * that makes it worse fails. The target is what issue 11 asks for; the evaluation prints both.
 */
import type { DangerReport, NumberRules } from "./evaluate.ts";
import { FITTING_SERVICES, shownFirst } from "./screens.ts";

/**
 * Set on the test split of 1,960 messages (after the nineteenth round, 2026-12-01: 93.7 %, 85.4 %, 3.0 %, 8.9 %) less
 * a margin. Each new round's test share has moved recall by up to a point either way; after the thirty-second round
 * the split of 2,527 messages gives 95.2 %, 88.0 %, 3.1 %, 7.8 %. The search evaluation's questions that the
 * classifier took for danger (labelled, 520) made the test split harder: 2,803 messages give 95.2 %, 87.8 %, 4.3 %,
 * 8.1 %, so false danger's bar moved from 4 to 4.5 %. After the fortieth round, 3,180 messages: 95.9 %, 88.6 %,
 * 4.2 %, 7.4 %; after the forty-sixth, 3,713 messages: 95.9 %, 88.9 %, 3.8 %, 7.8 %; after the forty-eighth, 3,902
 * messages: 95.6 %, 89.0 %, 3.9 %, 7.4 %; after the fiftieth and the number-request model, 4,086 messages: 96.0 %,
 * 89.3 %, 3.8 %, 7.5 %, number requests 247 of 249; after the sixtieth, 4,533 messages: 96.4 %, 89.9 %, 3.5 %,
 * 7.8 %, number requests 286 of 288; after the sixty-eighth, 4,714 messages: 96.3 %, 89.3 %, 3.1 %, 8.0 %, number
 * requests 302 of 304; after the seventy-sixth, 4,889 messages: 95.9 %, 89.6 %, 3.2 %, 7.8 %, 313 of 315 (96.0 %,
 * 89.8 %, 3.3 %, 7.5 %, 314 of 315 once the model read folded romanised words); after the eighty-fourth, 5,075
 * messages: 96.4 %, 90.5 %, 3.2 %, 7.6 %, 327 of 328; after the ninety-second, 5,257 messages: 96.7 %, 91.3 %,
 * 3.2 %, 7.8 %, 343 of 344; after the hundredth, 5,435 messages: 96.6 %, 90.7 %, 3.1 %, 7.6 %, 352 of 354; after
 * the 108th, 5,621 messages: 96.7 %, 91.3 %, 3.0 %, 7.7 %, 361 of 363; after the 116th, 5,802 messages: 96.6 %,
 * 91.2 %, 2.95 %, 7.6 %, 373 of 375 (96.8 % recall once the trafficking line was shown for every holder); after the
 * 124th, 5,996 messages: 96.8 %, 91.1 %, 2.9 %, 7.3 %, 388 of 389; after the 132nd, 6,179 messages: 96.9 %, 91.3 %,
 * 2.9 %, 7.3 %, 401 of 403; after the 144th, 6,474 messages: 96.9 %, 91.4 %, 2.7 %, 7.1 %, 426 of 428; after the
 * 156th, 6,748 messages: 97.0 %, 91.5 %, 2.6 %, 6.9 %, 448 of 450; after the 162nd, 6,895 messages: 97.0 %, 91.3 %,
 * 2.7 %, 6.8 %, 458 of 461 (97.0 %, 91.8 %, 2.7 %, 6.9 % once the check-in and certain bars were retuned on dev);
 * after the 168th, 7,031 messages: 97.0 %, 91.8 %, 2.5 %, 7.0 %, 473 of 475; after the 174th, 7,180 messages: 97.1 %,
 * 91.9 %, 2.5 %, 7.0 %, 480 of 482; after the 180th, 7,329 messages: 96.9 %, 91.8 %, 2.4 %, 7.0 %, 488 of 490
 * (97.5 %, 91.8 %, 2.4 %, 7.0 % once the model's kinds followed the rules' on the screen); after the 186th, 7,464
 * messages: 97.6 %, 92.3 %, 2.4 %, 7.1 %, 498 of 500; after the 192nd, 7,612 messages: 97.8 %, 92.3 %, 2.4 %, 6.7 %,
 * 508 of 511; after the 198th, 7,757 messages: 97.6 %, 92.1 %, 2.2 %, 6.8 %, 516 of 518; after the 204th, 7,880
 * messages: 97.8 %, 92.4 %, 2.3 %, 6.9 %, 530 of 533; after the 210th, 8,020 messages, with the context's kinds after
 * the model's: 98.2 %, 92.5 %, 2.3 %, 6.8 %, 538 of 540; after the 216th, 8,161 messages: 98.1 %, 92.5 %, 2.4 %,
 * 6.6 %, 549 of 551; after the 222nd, 8,296 messages: 98.1 %, 92.4 %, 2.2 %, 6.7 %, 555 of 558; after the 228th,
 * 8,423 messages: 98.0 % (3,768 of 3,844), 92.4 %, 2.2 %, 6.6 %, 566 of 569; after the 234th, 8,568 messages:
 * 98.2 % (3,843 of 3,915), 92.6 %, 2.2 %, 6.8 %, 576 of 578; after the 240th, 8,697 messages: 98.1 % (3,888 of
 * 3,965), 92.6 %, 2.0 %, 6.8 %, 586 of 590; after the 246th, 8,827 messages: 98.2 % (3,951 of 4,023), 92.5 %,
 * 1.9 %, 6.8 %, 606 of 608; after the 252nd, 8,969 messages: 98.3 % (4,019 of 4,090), 92.6 %, 2.0 %, 6.9 %, 619 of
 * 623.
 */
export const DANGER_FLOOR = {
  recall: 0.925,
  dangerShare: 0.835,
  falseDanger: 0.045,
  falseCheck: 0.1,
} as const;

/** Issue 11's acceptance, met on the test split since the 210th round (by a small margin on recall). */
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
