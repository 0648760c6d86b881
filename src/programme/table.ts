/**
 * The one shape every programme figure is reported in: a table of counts with row and column labels. The pages,
 * the CSV and XLSX exports and the suppression all work on it, so a figure is suppressed the same way wherever it is
 * shown.
 */

/** A table of non-negative whole counts, e.g. sessions by district (rows) and month (columns). */
export interface CountTable {
  /** Stable id of the indicator or report part, e.g. "counselling_sessions"; used in file names and the audit. */
  id: string;
  /** Already in the reader's language. */
  title: string;
  /** Heading of the label column, e.g. "District". */
  rowHeading: string;
  rowLabels: string[];
  columnLabels: string[];
  /** cells[row][column]. */
  cells: number[][];
}

/** Why a shown value is hidden. */
export type SuppressionReason = "small" | "secondary";

/** One value as it may be shown: the count, or hidden with the reason. */
export type ShownValue = { kind: "count"; value: number } | { kind: "hidden"; reason: SuppressionReason };

/** A CountTable after small-cell suppression, with row, column and grand totals (each may be hidden too). */
export interface ShownTable {
  id: string;
  title: string;
  rowHeading: string;
  rowLabels: string[];
  columnLabels: string[];
  cells: ShownValue[][];
  rowTotals: ShownValue[];
  columnTotals: ShownValue[];
  grandTotal: ShownValue;
  /** The threshold used: counts from 1 to threshold − 1 are hidden. 0 or 1 means suppression was off. */
  threshold: number;
  /** How many values (cells and totals) were hidden, by reason. */
  hidden: Record<SuppressionReason, number>;
}
