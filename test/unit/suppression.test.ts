/**
 * Small-cell suppression (src/programme/suppression.ts): tables checked by hand, and a property test that no hidden
 * value can be worked out from what a table shows, by an exact search over every table a reader could believe.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { suppressSmallCounts } from "../../src/programme/suppression.ts";
import type { CountTable, ShownTable, ShownValue } from "../../src/programme/table.ts";

const S: ShownValue = { kind: "hidden", reason: "small" };
const X: ShownValue = { kind: "hidden", reason: "secondary" };
/** A value as written in a hand-checked table: a number is a shown count. */
type Written = number | ShownValue;
const shownValue = (w: Written): ShownValue => (typeof w === "number" ? { kind: "count", value: w } : w);

function countTable(cells: number[][]): CountTable {
  return {
    id: "sessions",
    title: "Counselling sessions",
    rowHeading: "District",
    rowLabels: cells.map((_, r) => `district ${r}`),
    columnLabels: (cells[0] ?? []).map((_, c) => `month ${c}`),
    cells,
  };
}

/** The full ShownTable expected for `input`, from a grid written out by hand: cells, then the totals. */
function expectedTable(
  input: CountTable,
  threshold: number,
  written: { cells: Written[][]; rowTotals: Written[]; columnTotals: Written[]; grandTotal: Written },
): ShownTable {
  const cells = written.cells.map((row) => row.map(shownValue));
  const rowTotals = written.rowTotals.map(shownValue);
  const columnTotals = written.columnTotals.map(shownValue);
  const grandTotal = shownValue(written.grandTotal);
  const all = [...cells.flat(), ...rowTotals, ...columnTotals, grandTotal];
  const count = (reason: string) => all.filter((v) => v.kind === "hidden" && v.reason === reason).length;
  return {
    id: input.id,
    title: input.title,
    rowHeading: input.rowHeading,
    rowLabels: input.rowLabels,
    columnLabels: input.columnLabels,
    cells,
    rowTotals,
    columnTotals,
    grandTotal,
    threshold,
    hidden: { small: count("small"), secondary: count("secondary") },
  };
}

describe("suppressSmallCounts, tables checked by hand", () => {
  it("shows everything when no count is small", () => {
    const input = countTable([
      [5, 6],
      [7, 8],
    ]);
    expect(suppressSmallCounts(input, 5)).toEqual(
      expectedTable(input, 5, {
        cells: [
          [5, 6],
          [7, 8],
        ],
        rowTotals: [11, 15],
        columnTotals: [12, 14],
        grandTotal: 26,
      }),
    );
  });

  it("one small cell: the smallest count in its row goes, then in its column, until hidden ones close a loop", () => {
    const input = countTable([
      [2, 10, 20],
      [6, 7, 8],
      [9, 11, 12],
    ]);
    // 2 hidden; 10 goes for row 0; 6 for column 0; then 7 for column 1 (10 alone there), closing the rectangle.
    const shown = suppressSmallCounts(input, 5);
    expect(shown).toEqual(
      expectedTable(input, 5, {
        cells: [
          [S, X, 20],
          [X, X, 8],
          [9, 11, 12],
        ],
        rowTotals: [32, 21, 32],
        columnTotals: [17, 28, 40],
        grandTotal: 85,
      }),
    );
    expect(shown.hidden).toEqual({ small: 1, secondary: 3 });
  });

  it("a small row total is hidden as small, and the next smallest row total goes with it", () => {
    const input = countTable([
      [0, 3],
      [10, 6],
    ]);
    // Column 1 would give the 3 away (9 − 6): 6 goes. The grand total would give the row total away (19 − 16):
    // the other row total goes (secondary).
    expect(suppressSmallCounts(input, 5)).toEqual(
      expectedTable(input, 5, {
        cells: [
          [0, S],
          [10, X],
        ],
        rowTotals: [S, X],
        columnTotals: [10, 9],
        grandTotal: 19,
      }),
    );
  });

  it("a row of zeros and one small cell: its total is small too, and what would give it away goes", () => {
    const input = countTable([
      [0, 3, 0],
      [5, 6, 7],
      [8, 9, 10],
    ]);
    expect(suppressSmallCounts(input, 5)).toEqual(
      expectedTable(input, 5, {
        cells: [
          [0, S, 0],
          [5, X, 7],
          [8, 9, 10],
        ],
        rowTotals: [S, X, 27],
        columnTotals: [13, 18, 17],
        grandTotal: 48,
      }),
    );
  });

  it("4 + 4 = 8: with nothing else shown in the row, the row total goes, then what would give it away", () => {
    const input = countTable([
      [4, 4, 0],
      [6, 7, 9],
    ]);
    // After 6 and 7 go (the columns), row 0 still says 4 + 4 = 8 and has no shown count left: its total goes. The
    // grand total minus row 1 would give it back (30 − 22), so row 1's total goes too.
    const shown = suppressSmallCounts(input, 5);
    expect(shown).toEqual(
      expectedTable(input, 5, {
        cells: [
          [S, S, 0],
          [X, X, 9],
        ],
        rowTotals: [X, X],
        columnTotals: [10, 11, 9],
        grandTotal: 30,
      }),
    );
    expect(shown.hidden).toEqual({ small: 2, secondary: 4 });
  });

  it("1 + 1 = 2: a small total worked out from the grand total goes with the cells it would give away", () => {
    const input = countTable([
      [1, 1],
      [8, 9],
    ]);
    expect(suppressSmallCounts(input, 5)).toEqual(
      expectedTable(input, 5, {
        cells: [
          [S, S],
          [X, X],
        ],
        rowTotals: [S, X],
        columnTotals: [9, 10],
        grandTotal: 19,
      }),
    );
  });

  it("a small total over threshold − 1 non-zero cells is hidden as secondary: '<3' over two cells means 1 + 1", () => {
    const input = countTable([
      [1, 1],
      [5, 6],
    ]);
    expect(suppressSmallCounts(input, 3)).toEqual(
      expectedTable(input, 3, {
        cells: [
          [S, S],
          [X, X],
        ],
        rowTotals: [X, X],
        columnTotals: [6, 7],
        grandTotal: 13,
      }),
    );
    // The grand total 4 over four cells of 1 ("<5" would mean 1 + 1 + 1 + 1); nothing else gives anything away.
    const ones = countTable([
      [1, 1, 0],
      [0, 1, 1],
    ]);
    expect(suppressSmallCounts(ones, 5)).toEqual(
      expectedTable(ones, 5, {
        cells: [
          [S, S, 0],
          [0, S, S],
        ],
        rowTotals: [S, S],
        columnTotals: [S, S, S],
        grandTotal: X,
      }),
    );
  });

  it("the small counts 4 and 1 on the corners of a hidden rectangle pin each other: more goes", () => {
    const input = countTable([
      [4, 5, 20],
      [6, 1, 20],
      [30, 30, 30],
    ]);
    // With only the rectangle hidden, row 1 says 1 = 7 − (10 − a) with a ≤ 4, so a = 4 and the 1 is 1. Each line
    // alone still leaves two values open; only the whole table gives it away.
    expect(suppressSmallCounts(input, 5)).toEqual(
      expectedTable(input, 5, {
        cells: [
          [S, X, X],
          [X, S, X],
          [30, 30, 30],
        ],
        rowTotals: [29, 27, 90],
        columnTotals: [40, 36, 70],
        grandTotal: 146,
      }),
    );
  });

  it("threshold 1 or 0 turns suppression off", () => {
    const input = countTable([
      [1, 2],
      [0, 3],
    ]);
    for (const threshold of [0, 1])
      expect(suppressSmallCounts(input, threshold)).toEqual(
        expectedTable(input, threshold, {
          cells: [
            [1, 2],
            [0, 3],
          ],
          rowTotals: [3, 3],
          columnTotals: [1, 5],
          grandTotal: 6,
        }),
      );
  });

  it("shows an empty table and an all-zero table as they are", () => {
    const empty: CountTable = { ...countTable([]), columnLabels: ["month 0", "month 1"] };
    expect(suppressSmallCounts(empty, 5)).toEqual(
      expectedTable(empty, 5, { cells: [], rowTotals: [], columnTotals: [0, 0], grandTotal: 0 }),
    );
    const zeros = countTable([
      [0, 0],
      [0, 0],
    ]);
    expect(suppressSmallCounts(zeros, 5)).toEqual(
      expectedTable(zeros, 5, {
        cells: [
          [0, 0],
          [0, 0],
        ],
        rowTotals: [0, 0],
        columnTotals: [0, 0],
        grandTotal: 0,
      }),
    );
  });

  it("uses threshold 5 when none is given, and refuses counts that are not whole and non-negative", () => {
    const input = countTable([[3, 9]]);
    expect(suppressSmallCounts(input)).toEqual(suppressSmallCounts(input, 5));
    expect(() => suppressSmallCounts(countTable([[-1]]), 5)).toThrow(RangeError);
    expect(() => suppressSmallCounts(countTable([[1.5]]), 5)).toThrow(RangeError);
    expect(() => suppressSmallCounts(countTable([[1, 2], [3]]), 5)).toThrow(RangeError);
    expect(() => suppressSmallCounts(countTable([[1]]), 2.5)).toThrow(RangeError);
  });

  it("never changes the table it is given", () => {
    const input = countTable([
      [1, 7],
      [3, 0],
    ]);
    const copy = structuredClone(input);
    const shown = suppressSmallCounts(input, 5);
    expect(input).toEqual(copy);
    expect(shown.rowLabels).not.toBe(input.rowLabels);
  });
});

/** Every value of a table with its totals, in reading order: each row's cells then its total, then the last row. */
function allValues<T>(t: { cells: T[][]; rowTotals: T[]; columnTotals: T[]; grandTotal: T }): T[] {
  return [...t.cells.flatMap((row, r) => [...row, t.rowTotals[r]!]), ...t.columnTotals, t.grandTotal];
}

function withTotals(cells: number[][], columnCount: number) {
  const rowTotals = cells.map((row) => row.reduce((a, b) => a + b, 0));
  const columnTotals = Array.from({ length: columnCount }, (_, c) => cells.reduce((a, row) => a + row[c]!, 0));
  return { cells, rowTotals, columnTotals, grandTotal: rowTotals.reduce((a, b) => a + b, 0) };
}

/** Σ coefficient·x[variable] + constant = 0. */
interface Equation {
  terms: { variable: number; coefficient: number }[];
  constant: number;
}

/**
 * What a reader knows, as whole-number unknowns: the hidden values (in reading order) with their ranges, and one
 * equation per line (each row, each column, the row totals, the column totals: parts − total = 0).
 */
function readerKnowledge(shown: ShownTable, cap: number) {
  const rows = shown.cells.length;
  const columns = shown.columnLabels.length;
  const values = allValues(shown);
  // Position of each value in reading order, by where it sits.
  const cell = (r: number, c: number) => r * (columns + 1) + c;
  const rowTotal = (r: number) => r * (columns + 1) + columns;
  const columnTotal = (c: number) => rows * (columns + 1) + c;
  const grand = rows * (columns + 1) + columns;
  const variableOf = new Map<number, number>();
  const low: number[] = [];
  const high: number[] = [];
  values.forEach((v, position) => {
    if (v.kind === "count") return;
    variableOf.set(position, low.length);
    low.push(v.reason === "small" ? 1 : 0);
    high.push(v.reason === "small" ? shown.threshold - 1 : cap);
  });
  const equation = (parts: number[], total: number): Equation => {
    const terms: Equation["terms"] = [];
    let constant = 0;
    for (const [position, coefficient] of [...parts.map((p) => [p, 1]), [total, -1]] as [number, number][]) {
      const value = values[position]!;
      if (value.kind === "count") constant += coefficient * value.value;
      else terms.push({ variable: variableOf.get(position)!, coefficient });
    }
    return { terms, constant };
  };
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  const equations = [
    ...range(rows).map((r) =>
      equation(
        range(columns).map((c) => cell(r, c)),
        rowTotal(r),
      ),
    ),
    ...range(columns).map((c) =>
      equation(
        range(rows).map((r) => cell(r, c)),
        columnTotal(c),
      ),
    ),
    equation(range(rows).map(rowTotal), grand),
    equation(range(columns).map(columnTotal), grand),
  ];
  const positions = [...variableOf.keys()];
  return { equations, low, high, positions };
}

/**
 * Narrows the ranges until every equation could still hold (sound: never drops a feasible whole-number value).
 * False when some equation cannot hold at all.
 */
function narrow(equations: Equation[], low: number[], high: number[]): boolean {
  for (let changed = true; changed;) {
    changed = false;
    for (const { terms, constant } of equations) {
      const least = (t: Equation["terms"][number]) => (t.coefficient > 0 ? low[t.variable]! : -high[t.variable]!);
      const most = (t: Equation["terms"][number]) => (t.coefficient > 0 ? high[t.variable]! : -low[t.variable]!);
      const min = terms.reduce((s, t) => s + least(t), constant);
      const max = terms.reduce((s, t) => s + most(t), constant);
      if (min > 0 || max < 0) return false;
      for (const t of terms) {
        // The others sum to [min − least(t), max − most(t)], so this term must lie in the negation of that.
        const [termLow, termHigh] = [-(max - most(t)), -(min - least(t))];
        const [newLow, newHigh] = t.coefficient > 0 ? [termLow, termHigh] : [-termHigh, -termLow];
        if (newLow > low[t.variable]!) [low[t.variable], changed] = [newLow, true];
        if (newHigh < high[t.variable]!) [high[t.variable], changed] = [newHigh, true];
        if (low[t.variable]! > high[t.variable]!) return false;
      }
    }
  }
  return true;
}

/** One whole-number solution within the ranges, or undefined when there is none (exhaustive search). */
function solve(equations: Equation[], lowIn: number[], highIn: number[]): number[] | undefined {
  const [low, high] = [[...lowIn], [...highIn]];
  if (!narrow(equations, low, high)) return undefined;
  let open = -1;
  low.forEach((l, i) => {
    if (l < high[i]! && (open < 0 || high[i]! - l < high[open]! - low[open]!)) open = i;
  });
  if (open < 0) return low;
  for (let value = low[open]!; value <= high[open]!; value++) {
    const solution = solve(
      equations,
      low.map((l, i) => (i === open ? value : l)),
      high.map((h, i) => (i === open ? value : h)),
    );
    if (solution) return solution;
  }
  return undefined;
}

/**
 * The hidden values of `shown` a reader could pin down (as reading-order positions), and whether the true table is
 * one the reader could believe. For each hidden value not yet seen with two values, it searches for a table that
 * agrees with everything shown and has that value below, then above, its true value.
 */
function audit(cells: number[][], shown: ShownTable): { pinned: number[]; truthFits: boolean } {
  const truth = allValues(withTotals(cells, shown.columnLabels.length));
  const grand = shown.grandTotal;
  // A secondary value is any count; no value exceeds the grand total, and the cap stands far above the truth.
  const cap = grand.kind === "count" ? grand.value : truth.at(-1)! + 50;
  const { equations, low, high, positions } = readerKnowledge(shown, cap);
  const trueValues = positions.map((p) => truth[p]!);
  const truthFits =
    trueValues.every((v, i) => low[i]! <= v && v <= high[i]!) &&
    equations.every((e) => e.terms.reduce((s, t) => s + t.coefficient * trueValues[t.variable]!, e.constant) === 0);
  const seen = trueValues.map((v) => new Set([v]));
  for (let i = 0; i < trueValues.length; i++) {
    const below = high.map((h, j) => (j === i ? trueValues[i]! - 1 : h));
    const above = low.map((l, j) => (j === i ? trueValues[i]! + 1 : l));
    const other = seen[i]!.size > 1 ? undefined : (solve(equations, low, below) ?? solve(equations, above, high));
    other?.forEach((v, j) => seen[j]!.add(v));
  }
  return { pinned: positions.filter((_, i) => seen[i]!.size < 2), truthFits };
}

describe("suppressSmallCounts, property", () => {
  const count = fc.oneof(
    { arbitrary: fc.constant(0), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 4 }), weight: 4 },
    { arbitrary: fc.integer({ min: 5, max: 12 }), weight: 3 },
  );
  const cellsArbitrary = fc
    .record({ rows: fc.integer({ min: 1, max: 4 }), columns: fc.integer({ min: 1, max: 4 }) })
    .chain(({ rows, columns }) =>
      fc.array(fc.array(count, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }),
    );
  const thresholdArbitrary = fc.oneof(
    { arbitrary: fc.constant(5), weight: 3 },
    { arbitrary: fc.constant(3), weight: 1 },
  );

  it("checks the checker: it pins the lone small cell of an unsuppressed table down", () => {
    const cells = [
      [2, 10],
      [6, 7],
    ];
    const naive = suppressSmallCounts(countTable(cells), 1);
    const leaky: ShownTable = { ...naive, threshold: 5, cells: [[S, naive.cells[0]![1]!], naive.cells[1]!] };
    expect(audit(cells, leaky)).toEqual({ pinned: [0], truthFits: true });
  });

  it("no hidden value can be worked out from what is shown; small counts are hidden, the rest shown true", () => {
    fc.assert(
      fc.property(cellsArbitrary, thresholdArbitrary, (cells, threshold) => {
        const input = countTable(cells);
        const before = structuredClone(input);
        const shown = suppressSmallCounts(input, threshold);
        expect(input).toEqual(before);

        const truth = allValues(withTotals(cells, input.columnLabels.length));
        const values = allValues(shown);
        values.forEach((v, i) => {
          const isSmall = truth[i]! >= 1 && truth[i]! < threshold;
          if (v.kind === "count") expect(v.value).toBe(truth[i]);
          else if (v.reason === "small") expect(isSmall).toBe(true);
          if (isSmall) expect(v.kind).toBe("hidden");
        });
        cells.forEach((row, r) =>
          row.forEach((v, c) => {
            if (v >= 1 && v < threshold) expect(shown.cells[r]![c]).toEqual(S);
          }),
        );
        const hiddenAs = (reason: string) => values.filter((v) => v.kind === "hidden" && v.reason === reason).length;
        expect(shown.hidden).toEqual({ small: hiddenAs("small"), secondary: hiddenAs("secondary") });

        expect(audit(cells, shown)).toEqual({ pinned: [], truthFits: true });
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it("is deterministic and handles a 20 × 12 table with many small counts quickly", () => {
    const [cells] = fc.sample(
      fc.array(fc.array(count, { minLength: 12, maxLength: 12 }), { minLength: 20, maxLength: 20 }),
      {
        numRuns: 1,
        seed: 7,
      },
    );
    const input = countTable(cells!);
    const started = performance.now();
    const shown = suppressSmallCounts(input, 5);
    const elapsed = performance.now() - started;
    expect(suppressSmallCounts(input, 5)).toEqual(shown);
    expect(elapsed).toBeLessThan(1000);
  });
});
