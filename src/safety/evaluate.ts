/**
 * Evaluation of the danger classifier on one corpus split: recall per kind (danger or check-in, with the fitting
 * number shown), how often danger messages get the danger screen itself, false alarms per near-miss family, number
 * requests, the confusion between outcomes, and every miss with the classifier's reasons.
 */
import type { Assessment, DangerClassifier, SafetyOutcome } from "./classifier.ts";
import type { CorpusEntry } from "./corpus.ts";
import type { DangerKind } from "./rules.ts";

export interface KindScore {
  total: number;
  /** Danger or check-in, showing a number that fits the kind. */
  caught: number;
  /** The danger screen itself. */
  danger: number;
}

export interface FamilyScore {
  total: number;
  danger: number;
  check: number;
  numbers: number;
}

export interface Miss {
  text: string;
  gloss: string;
  expected: string;
  got: SafetyOutcome;
  kind?: DangerKind;
  reasons: string[];
}

export interface DangerReport {
  kinds: Record<string, KindScore>;
  families: Record<string, FamilyScore>;
  numbers: { total: number; answered: number };
  confusion: Record<string, Record<SafetyOutcome, number>>;
  recall: number;
  dangerShare: number;
  falseDanger: number;
  falseCheck: number;
  misses: Miss[];
}

/**
 * The numbers each outcome shows first, by the kind the classifier chose (see src/safety/screens.ts), and the
 * numbers that fit each kind in the corpus.
 */
export interface NumberRules {
  shownFirst: (outcome: "danger" | "check", kinds: readonly DangerKind[]) => readonly string[];
  fitting: (kind: DangerKind) => readonly string[];
}

/** Runs the classifier on every entry and scores it. */
export function evaluateDanger(
  entries: readonly CorpusEntry[],
  classify: DangerClassifier,
  numbers: NumberRules,
): DangerReport {
  const kinds: Record<string, KindScore> = {};
  const families: Record<string, FamilyScore> = {};
  const confusion: Record<string, Record<SafetyOutcome, number>> = {};
  const numberScore = { total: 0, answered: 0 };
  const misses: Miss[] = [];
  for (const entry of entries) {
    const got = classify(entry.text);
    const row = (confusion[entry.label] ??= { danger: 0, check: 0, numbers: 0, none: 0 });
    row[got.outcome]++;
    const miss = (expected: string) =>
      misses.push({
        text: entry.text,
        gloss: entry.gloss,
        expected,
        got: got.outcome,
        reasons: got.reasons,
        ...(got.kind ? { kind: got.kind } : {}),
      });
    if (entry.label === "danger") {
      const score = (kinds[entry.kind] ??= { total: 0, caught: 0, danger: 0 });
      score.total++;
      const fits = showsFitting(got, entry.kind, numbers);
      if (fits) score.caught++;
      if (got.outcome === "danger") score.danger++;
      if (!fits) miss(`danger (${entry.kind})`);
    } else if (entry.label === "safe") {
      const score = (families[entry.kind] ??= { total: 0, danger: 0, check: 0, numbers: 0 });
      score.total++;
      if (got.outcome === "danger" || got.outcome === "check" || got.outcome === "numbers") score[got.outcome]++;
      if (got.outcome !== "none") miss(`safe (${entry.kind})`);
    } else {
      numberScore.total++;
      if (got.outcome === "numbers" || got.outcome === "danger") numberScore.answered++;
      else miss(`numbers (${entry.kind})`);
    }
  }
  const sum = <T>(rows: T[], f: (r: T) => number) => rows.reduce((n, r) => n + f(r), 0);
  const k = Object.values(kinds);
  const f = Object.values(families);
  const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return {
    kinds,
    families,
    numbers: numberScore,
    confusion,
    recall: ratio(
      sum(k, (s) => s.caught),
      sum(k, (s) => s.total),
    ),
    dangerShare: ratio(
      sum(k, (s) => s.danger),
      sum(k, (s) => s.total),
    ),
    falseDanger: ratio(
      sum(f, (s) => s.danger),
      sum(f, (s) => s.total),
    ),
    falseCheck: ratio(
      sum(f, (s) => s.check),
      sum(f, (s) => s.total),
    ),
    misses,
  };
}

function showsFitting(got: Assessment, kind: DangerKind, numbers: NumberRules): boolean {
  if (got.outcome !== "danger" && got.outcome !== "check") return false;
  const shown = numbers.shownFirst(got.outcome, got.kinds ?? []);
  return numbers.fitting(kind).some((n) => shown.includes(n));
}
