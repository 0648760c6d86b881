/**
 * Small-cell suppression: what lets programme figures leave the console without exposing a person. A count of one
 * to four people in a sangkat and a month can point at a family; so it is hidden, and so is anything that would
 * let a reader work it out again from the totals.
 *
 * The table is treated as a grid with its totals: the cells, a totals column (row totals), a totals row (column
 * totals) and the grand total. Every row of that grid and every column is a "line": its entries add up to its
 * total. A reader who sees some of a line and knows the ranges of the rest can narrow the rest down; the audit
 * below does exactly that, to every line at once, until nothing narrows further.
 */
import { type LinearEquation, optimise } from "./linear-program.ts";
import type { CountTable, ShownTable, ShownValue, SuppressionReason } from "./table.ts";

type State = "shown" | SuppressionReason;

/** One position in the grid with totals: row `r` and column `c`; r = rows (c = columns) is the totals row (column). */
interface Position {
  r: number;
  c: number;
}

interface Line {
  entries: Position[];
  total: Position;
}

/**
 * Suppresses a table of counts (the input is not changed):
 * - a cell from 1 to `threshold` − 1 is hidden as "small" (shown as "<5"); zero is shown: it is nobody;
 * - totals are the table's true totals; a total from 1 to `threshold` − 1 is hidden as "secondary" ("×"), not as
 *   "<5", because "<5" on a total would tell a reader that the small cells inside it are 1 each;
 * - then, while any hidden value could be worked out (its lowest and highest possible values meet, given every
 *   line's shown values and the ranges a reader knows: "<threshold" is 1..threshold − 1, "×" is any count), the
 *   smallest shown non-zero cell in a line through such a value is hidden too, as "secondary" (the first in reading
 *   order on a tie); when those lines have none, the smallest shown total of theirs; failing that, the smallest
 *   shown non-zero value anywhere.
 * `threshold` ≤ 1 turns suppression off. With `threshold` 2, "<2" means exactly 1: use 3 or more.
 */
export function suppressSmallCounts(table: CountTable, threshold: number): ShownTable {
  const rows = table.rowLabels.length;
  const columns = table.columnLabels.length;
  const grid = withTotals(table.cells, rows, columns);
  const state: State[][] = grid.map((line, r) =>
    line.map((value, c) => {
      if (threshold <= 1 || value === 0 || value >= threshold) return "shown";
      return r === rows || c === columns ? "secondary" : "small";
    }),
  );
  if (threshold > 1) hideUntilSafe(grid, state, linesOf(rows, columns), threshold);

  const shown = (p: Position): ShownValue => {
    const s = (state[p.r] as State[])[p.c] as State;
    return s === "shown" ? { kind: "count", value: at(grid, p) } : { kind: "hidden", reason: s };
  };
  const hidden = { small: 0, secondary: 0 };
  for (const line of state) for (const s of line) if (s !== "shown") hidden[s]++;
  return {
    id: table.id,
    title: table.title,
    rowHeading: table.rowHeading,
    rowLabels: [...table.rowLabels],
    columnLabels: [...table.columnLabels],
    cells: range(rows).map((r) => range(columns).map((c) => shown({ r, c }))),
    rowTotals: range(rows).map((r) => shown({ r, c: columns })),
    columnTotals: range(columns).map((c) => shown({ r: rows, c })),
    grandTotal: shown({ r: rows, c: columns }),
    threshold,
    hidden,
  };
}

function at<T>(grid: T[][], p: Position): T {
  return (grid[p.r] as T[])[p.c] as T;
}

/** The cells with a totals column and a totals row added (a new grid). */
function withTotals(cells: readonly (readonly number[])[], rows: number, columns: number): number[][] {
  const grid = range(rows + 1).map(() => range(columns + 1).map(() => 0));
  const add = (r: number, c: number, value: number) => ((grid[r] as number[])[c] = at(grid, { r, c }) + value);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < columns; c++) {
      const value = (cells[r] as readonly number[])[c] ?? 0;
      add(r, c, value);
      add(r, columns, value);
      add(rows, c, value);
      add(rows, columns, value);
    }
  return grid;
}

/** Every line of the grid: each row (the totals row too) and each column (the totals column too). */
function linesOf(rows: number, columns: number): Line[] {
  const lines: Line[] = range(rows + 1).map((r) => ({
    entries: range(columns).map((c) => ({ r, c })),
    total: { r, c: columns },
  }));
  for (let c = 0; c <= columns; c++) lines.push({ entries: range(rows).map((r) => ({ r, c })), total: { r: rows, c } });
  return lines;
}

function hideUntilSafe(grid: number[][], state: State[][], lines: Line[], threshold: number): void {
  const isShown = (p: Position) => at(state, p) === "shown";
  const value = (p: Position) => at(grid, p);
  const smallest = (positions: Position[]) =>
    positions
      .filter((p) => isShown(p) && value(p) > 0)
      .reduce<Position | undefined>((best, p) => (!best || value(p) < value(best) ? p : best), undefined);
  // Each round hides one more value, so this ends after at most as many rounds as the grid has values.
  for (;;) {
    const pinned = pinnedValues(grid, state, lines, threshold);
    if (pinned.length === 0) return;
    const isPinned = (p: Position) => pinned.some((q) => q.r === p.r && q.c === p.c);
    const through = lines.filter((l) => isPinned(l.total) || l.entries.some(isPinned));
    const next =
      smallest(through.flatMap((l) => l.entries)) ??
      smallest(through.map((l) => l.total)) ??
      smallest(lines.flatMap((l) => [...l.entries, l.total]));
    if (!next) return; // everything non-zero is hidden already: nothing more to hide
    (state[next.r] as State[])[next.c] = "secondary";
  }
}

type Equation = LinearEquation;

const EPSILON = 1e-9;

/**
 * The hidden values a reader could work out. The lines' sums are equations over the hidden values. Each value
 * starts with the range its mark tells (1..threshold − 1 for "<threshold", any count for "×") and every equation
 * narrows its values in turn, until nothing narrows; a value whose range closes to one whole number is given away.
 */
function pinnedValues(grid: number[][], state: State[][], lines: Line[], threshold: number): Position[] {
  const hidden: Position[] = [];
  const index = new Map<string, number>();
  grid.forEach((line, r) =>
    line.forEach((_, c) => {
      if (at(state, { r, c }) === "shown") return;
      index.set(`${r},${c}`, hidden.length);
      hidden.push({ r, c });
    }),
  );
  if (hidden.length === 0) return [];
  const equations = lines.map((line): Equation => {
    const terms: { v: number; a: number }[] = [];
    let b = 0;
    for (const [p, sign] of [...line.entries.map((e) => [e, 1] as const), [line.total, -1] as const]) {
      const v = index.get(`${p.r},${p.c}`);
      if (v === undefined) b -= sign * at(grid, p);
      else terms.push({ v, a: sign });
    }
    return { terms, b };
  });
  const low = hidden.map((p) => bound(at(state, p), threshold).low);
  const high = hidden.map((p) => bound(at(state, p), threshold).high);
  for (let changed = true, rounds = 0; changed && rounds < 100; rounds++) {
    changed = false;
    for (const { terms, b } of equations)
      for (const t of terms) {
        // a·x = b − Σ others: the others' sum lies between `least` and `most`.
        let least = 0;
        let most = 0;
        for (const o of terms) {
          if (o === t) continue;
          least += o.a > 0 ? o.a * (low[o.v] as number) : o.a * (high[o.v] as number);
          most += o.a > 0 ? o.a * (high[o.v] as number) : o.a * (low[o.v] as number);
        }
        const ends = [(b - most) / t.a, (b - least) / t.a];
        const from = Math.ceil(Math.min(...ends) - EPSILON);
        const to = Math.floor(Math.max(...ends) + EPSILON);
        if (from > (low[t.v] as number)) {
          low[t.v] = from;
          changed = true;
        }
        if (to < (high[t.v] as number)) {
          high[t.v] = to;
          changed = true;
        }
      }
  }
  const narrowed = hidden.filter((_, v) => (low[v] as number) >= (high[v] as number));
  if (narrowed.length > 0) return narrowed;
  // Narrowing line by line is quick but can miss what adding and subtracting several lines gives away; the least
  // and greatest value each can take under all the equations at once (linear programming) misses nothing.
  // Every optimal solution is a filling a reader cannot rule out: a value seen with two different numbers in them
  // is safe without solving for it.
  const seen = hidden.map(() => new Set<number>());
  const learn = (x: number[]) => x.forEach((value, v) => (seen[v] as Set<number>).add(Math.round(value)));
  return hidden.filter((_, v) => {
    if ((seen[v] as Set<number>).size >= 2) return false;
    const least = optimise(equations, low, high, v, false, learn) ?? 0;
    if ((seen[v] as Set<number>).size >= 2) return false;
    const most = optimise(equations, low, high, v, true, learn) ?? 0;
    return Math.ceil(least - EPSILON) >= Math.floor(most + EPSILON);
  });
}

/** What a reader knows of one value from how it is shown. */
function bound(state: State, threshold: number): { low: number; high: number } {
  return state === "small" ? { low: 1, high: threshold - 1 } : { low: 0, high: Number.POSITIVE_INFINITY };
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}
