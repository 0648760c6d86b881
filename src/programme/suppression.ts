/**
 * Small-cell suppression for the programme tables NGO staff export: counts of people are hidden when they are small
 * enough to point at someone, and further values are hidden wherever the totals would give a hidden count away.
 */
import type { CountTable, ShownTable, ShownValue, SuppressionReason } from "./table.ts";

/** The threshold programme reports use unless told otherwise: counts 1–4 are shown as "<5". */
export const DEFAULT_SUPPRESSION_THRESHOLD = 5;

/**
 * Hides the small counts of a table, and whatever else would let a reader work them out.
 *
 * The rule (threshold t, default {@link DEFAULT_SUPPRESSION_THRESHOLD}; t ≤ 1 turns suppression off):
 * 1. Primary: every cell, row total, column total and the grand total from 1 to t − 1 is hidden as "small".
 *    Zero is shown (a zero is nobody). Totals are always the true totals of the cells. One exception: a small total
 *    that adds up t − 1 non-zero cells would tell that each of them is 1, so it is hidden as "secondary" instead.
 * 2. Secondary: a reader knows the shown values, that a "small" value is 1..t − 1, that a "secondary" value is ≥ 0,
 *    and that each line adds up: each row to its row total, each column to its column total, the row totals to the
 *    grand total and the column totals to the grand total. While some hidden value has only one possible value under
 *    that knowledge, take the line through such a value that has the fewest other hidden values (ties: the value
 *    first in reading order, then its row before its column), and hide as "secondary" the smallest shown non-zero
 *    value in that line other than its total (ties: first in reading order), or, when there is none, the line's
 *    total. When no line through such a value has anything left to hide, look in the lines linked to them by hidden
 *    values, nearest first. Repeat until every hidden value has at least two possible values.
 *
 * With t = 2 "<2" always means 1, so use 3 or more. Deterministic and pure; the input is not changed. Throws a
 * RangeError for a negative or fractional count or threshold, or for rows that do not match the labels.
 */
export function suppressSmallCounts(table: CountTable, threshold: number = DEFAULT_SUPPRESSION_THRESHOLD): ShownTable {
  checkInput(table, threshold);
  const { entries, lines } = buildEntries(table.cells, table.columnLabels.length);
  if (threshold > 1) {
    hidePrimary(entries, threshold);
    hideSecondary(entries, lines, threshold);
  }
  return toShownTable(table, entries, threshold);
}

/**
 * One value of the shown table (a cell or a total). Each line (row, column, the row-totals column, the
 * column-totals row) is "total = sum of parts". Seen as a network of flows, every value is an arc between the two
 * lines it belongs to: the grand total flows into the row-totals line, each row total on into its row, each cell
 * from its row into its column, each column total from its column into the column-totals line, and the grand total
 * from there back round. Every line is then a node where what flows in equals what flows out.
 */
interface Entry {
  value: number;
  hidden?: SuppressionReason;
  /** The line the value flows out of, and the line it flows into. */
  tail: number;
  head: number;
  /** The value's two lines, in the order they are tried when one of them needs another hidden value. */
  lines: [number, number];
  /** For a total: how many non-zero cells it adds up. */
  nonZeroCells?: number;
}

/** A line: its total and its parts, as indexes into the entries. */
interface Line {
  total: number;
  parts: number[];
}

function checkInput(table: CountTable, threshold: number): void {
  if (!Number.isSafeInteger(threshold) || threshold < 0) throw new RangeError(`bad threshold ${threshold}`);
  if (table.cells.length !== table.rowLabels.length) throw new RangeError(`${table.id}: rows do not match labels`);
  for (const row of table.cells) {
    if (row.length !== table.columnLabels.length) throw new RangeError(`${table.id}: a row does not match columns`);
    for (const count of row)
      if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`${table.id}: bad count ${count}`);
  }
}

/**
 * The cells and totals in reading order (each row's cells then its total; then the column totals and the grand
 * total), and the lines they make up. Line ids: rows 0..R−1, columns R..R+C−1, then the row-totals line and the
 * column-totals line.
 */
function buildEntries(cells: number[][], columnCount: number): { entries: Entry[]; lines: Line[] } {
  const rowCount = cells.length;
  const rowLine = (r: number) => r;
  const columnLine = (c: number) => rowCount + c;
  const rowTotalsLine = rowCount + columnCount;
  const columnTotalsLine = rowTotalsLine + 1;
  const lines: Line[] = Array.from({ length: columnTotalsLine + 1 }, () => ({ total: -1, parts: [] }));
  const entries: Entry[] = [];
  const add = (entry: Entry): number => entries.push(entry) - 1;
  const column = (c: number) => cells.map((row) => row[c]!);
  const nonZero = (counts: number[]) => counts.filter((count) => count > 0).length;

  cells.forEach((row, r) => {
    row.forEach((count, c) => {
      const cell = add({ value: count, tail: rowLine(r), head: columnLine(c), lines: [rowLine(r), columnLine(c)] });
      lines[rowLine(r)]!.parts.push(cell);
      lines[columnLine(c)]!.parts.push(cell);
    });
    const rowTotal = add({
      value: sum(row),
      tail: rowTotalsLine,
      head: rowLine(r),
      lines: [rowLine(r), rowTotalsLine],
      nonZeroCells: nonZero(row),
    });
    lines[rowLine(r)]!.total = rowTotal;
    lines[rowTotalsLine]!.parts.push(rowTotal);
  });
  for (let c = 0; c < columnCount; c++) {
    const columnTotal = add({
      value: sum(column(c)),
      tail: columnLine(c),
      head: columnTotalsLine,
      lines: [columnLine(c), columnTotalsLine],
      nonZeroCells: nonZero(column(c)),
    });
    lines[columnLine(c)]!.total = columnTotal;
    lines[columnTotalsLine]!.parts.push(columnTotal);
  }
  const grand = add({
    value: sum(cells.flat()),
    tail: columnTotalsLine,
    head: rowTotalsLine,
    lines: [rowTotalsLine, columnTotalsLine],
    nonZeroCells: nonZero(cells.flat()),
  });
  lines[rowTotalsLine]!.total = grand;
  lines[columnTotalsLine]!.total = grand;
  return { entries, lines };
}

function hidePrimary(entries: Entry[], threshold: number): void {
  for (const entry of entries) {
    if (entry.value < 1 || entry.value >= threshold) continue;
    // "<t" over t − 1 non-zero cells would say every one of them is 1 (each is at least 1, together at most t − 1),
    // and no further hiding could change that: such a total is hidden as "secondary" (any count) instead.
    const pinsItsCells = (entry.nonZeroCells ?? 0) >= threshold - 1;
    entry.hidden = pinsItsCells ? "secondary" : "small";
  }
}

function hideSecondary(entries: Entry[], lines: Line[], threshold: number): void {
  for (;;) {
    const next = nextToHide(entries, lines, threshold);
    if (next === undefined) return;
    entries[next]!.hidden = "secondary";
  }
}

/** The value to hide next (see the rule on suppressSmallCounts), or undefined when every hidden value is safe. */
function nextToHide(entries: Entry[], lines: Line[], threshold: number): number | undefined {
  const moves = possibleMoves(entries, threshold, lines.length);
  const pinned = entries.flatMap((entry, index) =>
    entry.hidden !== undefined && !canChange(entries, moves, index, threshold) ? [index] : [],
  );
  return coverInOwnLines(entries, lines, pinned) ?? coverFurtherOut(entries, lines, pinned);
}

/**
 * Among the lines through the pinned values, the one with the fewest other hidden values (the simplest way a value
 * is given away, such as a line with a single hidden value); its smallest shown part, or else its shown total.
 */
function coverInOwnLines(entries: Entry[], lines: Line[], pinned: number[]): number | undefined {
  let best: { cover: number; otherHidden: number } | undefined;
  for (const index of pinned) {
    for (const lineId of entries[index]!.lines) {
      const line = lines[lineId]!;
      const otherHidden = [line.total, ...line.parts].filter((i) => i !== index && entries[i]!.hidden).length;
      if (best !== undefined && otherHidden >= best.otherHidden) continue;
      const cover = coverIn(entries, line);
      if (cover !== undefined) best = { cover, otherHidden };
    }
  }
  return best?.cover;
}

/**
 * When the lines through the pinned values have nothing left to hide (all hidden or zero), a value can still be
 * given away through a chain of hidden values ending in shown totals: look along those chains, nearest line first.
 */
function coverFurtherOut(entries: Entry[], lines: Line[], pinned: number[]): number | undefined {
  for (const index of pinned) {
    for (const lineId of linesLinkedTo(entries, entries[index]!.lines)) {
      const cover = coverIn(entries, lines[lineId]!);
      if (cover !== undefined) return cover;
    }
  }
  return undefined;
}

/** The lines reached from `start` by stepping along hidden values, in breadth-first order (start excluded). */
function linesLinkedTo(entries: Entry[], start: number[]): number[] {
  const seen = new Set(start);
  const found: number[] = [];
  for (let i = 0, frontier = [...start]; i < frontier.length; i++) {
    for (const entry of entries) {
      if (entry.hidden === undefined || (entry.tail !== frontier[i] && entry.head !== frontier[i])) continue;
      const other = entry.tail === frontier[i] ? entry.head : entry.tail;
      if (seen.has(other)) continue;
      seen.add(other);
      frontier.push(other);
      found.push(other);
    }
  }
  return found;
}

/** What to hide in a line: its smallest shown non-zero part, or else its total if shown and non-zero. */
function coverIn(entries: Entry[], line: Line): number | undefined {
  return smallestShownPart(entries, line) ?? shownTotal(entries, line);
}

function smallestShownPart(entries: Entry[], line: Line): number | undefined {
  let smallest: number | undefined;
  for (const part of line.parts) {
    const entry = entries[part]!;
    if (entry.hidden || entry.value === 0) continue;
    if (smallest === undefined || entry.value < entries[smallest]!.value) smallest = part;
  }
  return smallest;
}

function shownTotal(entries: Entry[], line: Line): number | undefined {
  const total = entries[line.total]!;
  return total.hidden === undefined && total.value > 0 ? line.total : undefined;
}

/** What a reader knows about a hidden value: its lowest and highest possible value. */
function bounds(entry: Entry, threshold: number): [number, number] {
  return entry.hidden === "small" ? [1, threshold - 1] : [0, Number.POSITIVE_INFINITY];
}

/** A step from one line to another that changes a hidden value by one unit and keeps it within its bounds. */
interface Move {
  to: number;
  entry: number;
}

/**
 * For each line, the steps out of it: along a hidden value that may grow (tail to head), or against one that may
 * shrink (head to tail). Going round a loop of such steps changes every value on it by one and keeps every line's
 * sum, so it gives another table the reader cannot tell from the true one.
 */
function possibleMoves(entries: Entry[], threshold: number, lineCount: number): Move[][] {
  const moves: Move[][] = Array.from({ length: lineCount }, () => []);
  entries.forEach((entry, index) => {
    if (entry.hidden === undefined) return;
    const [low, high] = bounds(entry, threshold);
    if (entry.value < high) moves[entry.tail]!.push({ to: entry.head, entry: index });
    if (entry.value > low) moves[entry.head]!.push({ to: entry.tail, entry: index });
  });
  return moves;
}

/**
 * Whether a reader cannot pin the hidden value down: some loop of possible moves passes through it. This is exact:
 * any other table consistent with what is shown differs from the true one by a sum of such loops.
 */
function canChange(entries: Entry[], moves: Move[][], index: number, threshold: number): boolean {
  const entry = entries[index]!;
  const [low, high] = bounds(entry, threshold);
  const canGrow = entry.value < high && reaches(moves, entry.head, entry.tail, index);
  const canShrink = entry.value > low && reaches(moves, entry.tail, entry.head, index);
  return canGrow || canShrink;
}

/** Breadth-first search from one line to another, not using the moves of the excluded entry. */
function reaches(moves: Move[][], from: number, to: number, excluded: number): boolean {
  const seen = new Set([from]);
  const queue = [from];
  for (let line = queue.shift(); line !== undefined; line = queue.shift()) {
    if (line === to) return true;
    for (const move of moves[line]!) {
      if (move.entry === excluded || seen.has(move.to)) continue;
      seen.add(move.to);
      queue.push(move.to);
    }
  }
  return false;
}

function toShownTable(table: CountTable, entries: Entry[], threshold: number): ShownTable {
  const rowCount = table.cells.length;
  const columnCount = table.columnLabels.length;
  const shown = entries.map(toShownValue);
  // Reading order: each row is its cells then its row total; the column totals and grand total come last.
  const rowStart = (r: number) => r * (columnCount + 1);
  const columnTotalsStart = rowCount * (columnCount + 1);
  const hidden: Record<SuppressionReason, number> = { small: 0, secondary: 0 };
  for (const entry of entries) if (entry.hidden) hidden[entry.hidden] += 1;
  return {
    id: table.id,
    title: table.title,
    rowHeading: table.rowHeading,
    rowLabels: [...table.rowLabels],
    columnLabels: [...table.columnLabels],
    cells: table.cells.map((_, r) => shown.slice(rowStart(r), rowStart(r) + columnCount)),
    rowTotals: table.cells.map((_, r) => shown[rowStart(r) + columnCount]!),
    columnTotals: shown.slice(columnTotalsStart, columnTotalsStart + columnCount),
    grandTotal: shown[columnTotalsStart + columnCount]!,
    threshold,
    hidden,
  };
}

function toShownValue(entry: Entry): ShownValue {
  return entry.hidden ? { kind: "hidden", reason: entry.hidden } : { kind: "count", value: entry.value };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
