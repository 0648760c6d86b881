/**
 * Small-cell suppression (src/programme/suppression.ts): hand-checked tables, and a property test that no hidden
 * value can be worked out from what a table shows. The checker enumerates every whole-number filling of the hidden
 * values that agrees with the shown totals and the ranges a reader knows ("small" is 1..threshold − 1; "secondary"
 * is any count), and requires at least two possible values for every hidden one.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { suppressSmallCounts } from "../../src/programme/suppression.ts";
import type { CountTable, ShownTable, ShownValue } from "../../src/programme/table.ts";

const table = (cells: number[][]): CountTable => ({
  id: "t",
  title: "t",
  rowHeading: "district",
  rowLabels: cells.map((_, i) => `r${i}`),
  columnLabels: (cells[0] ?? []).map((_, i) => `c${i}`),
  cells,
});

/** The shown table as a grid with totals, "s" for small, "x" for secondary: easy to write out by hand. */
function picture(shown: ShownTable): (number | "s" | "x")[][] {
  const one = (v: ShownValue): number | "s" | "x" => (v.kind === "count" ? v.value : v.reason === "small" ? "s" : "x");
  return [
    ...shown.cells.map((row, r) => [...row.map(one), one(shown.rowTotals[r] as ShownValue)]),
    [...shown.columnTotals.map(one), one(shown.grandTotal)],
  ];
}

describe("suppressSmallCounts, by hand", () => {
  it("hides nothing when no count is small", () => {
    expect(
      picture(
        suppressSmallCounts(
          table([
            [10, 0],
            [7, 12],
          ]),
          5,
        ),
      ),
    ).toEqual([
      [10, 0, 10],
      [7, 12, 19],
      [17, 12, 29],
    ]);
  });

  it("one small cell: the next smallest in its row and column go too, until no line gives anything away", () => {
    const shown = suppressSmallCounts(
      table([
        [2, 10, 20],
        [8, 9, 30],
      ]),
      5,
    );
    expect(picture(shown)).toEqual([
      ["s", "x", 20, 32],
      ["x", "x", 30, 47],
      [10, 19, 50, 79],
    ]);
    expect(shown.hidden).toEqual({ small: 1, secondary: 3 });
  });

  it("a small total is hidden as ×, not <5, and what would give away its cells with it", () => {
    expect(
      picture(
        suppressSmallCounts(
          table([
            [1, 2],
            [10, 20],
          ]),
          5,
        ),
      ),
    ).toEqual([
      ["s", "s", "x"],
      ["x", "x", "x"], // 33 − 30 would be the small row total
      [11, 22, 33],
    ]);
  });

  it("a row of zeros and one small cell: the row's total goes, and what would give it away", () => {
    expect(
      picture(
        suppressSmallCounts(
          table([
            [0, 3, 0],
            [9, 8, 7],
          ]),
          5,
        ),
      ),
    ).toEqual([
      [0, "s", 0, "x"],
      ["x", "x", "x", "x"],
      ["x", 11, "x", 27],
    ]);
  });

  it("two small cells that their total pins down (4 + 4 = 8, 1 + 1 = 2): one more is hidden, and its twin", () => {
    expect(picture(suppressSmallCounts(table([[4, 4, 9]]), 5))).toEqual([
      ["s", "s", "x", 17],
      ["x", "x", "x", 17],
    ]);
    expect(picture(suppressSmallCounts(table([[1, 1, 9]]), 5))).toEqual([
      ["s", "s", "x", 11],
      ["x", "x", "x", 11],
    ]);
    // 2 + 3 = 5 leaves each of them open (1..4): nothing more is hidden.
    expect(picture(suppressSmallCounts(table([[2, 3, 9]]), 5))).toEqual([
      ["s", "s", 9, 14],
      ["x", "x", 9, 14],
    ]);
  });

  it("one small cell in a row of three: the next smallest goes with it", () => {
    expect(picture(suppressSmallCounts(table([[1, 5, 9]]), 5))).toEqual([
      ["s", "x", 9, 15],
      ["x", "x", 9, 15],
    ]);
  });

  it("threshold 1 turns it off; empty and all-zero tables are shown as they are", () => {
    expect(picture(suppressSmallCounts(table([[1, 2]]), 1))).toEqual([
      [1, 2, 3],
      [1, 2, 3],
    ]);
    expect(suppressSmallCounts(table([]), 5).grandTotal).toEqual({ kind: "count", value: 0 });
    expect(picture(suppressSmallCounts(table([[0, 0]]), 5))).toEqual([
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it("never changes the table it is given, and counts what it hid", () => {
    const cells = [
      [1, 7],
      [3, 0],
    ];
    const shown = suppressSmallCounts(table(cells), 5);
    expect(cells).toEqual([
      [1, 7],
      [3, 0],
    ]);
    const flat = picture(shown).flat();
    expect(shown.hidden.small).toBe(flat.filter((v) => v === "s").length);
    expect(shown.hidden.secondary).toBe(flat.filter((v) => v === "x").length);
  });
});

/**
 * For every hidden value of `shown` (a grid with totals), whether at least two values are possible given what a
 * reader sees. Returns the hidden positions that are pinned down (empty when the table is safe), and whether the
 * true values are among the possible ones.
 */
function derivable(truth: number[][], shown: ShownTable): { pinned: string[]; truthFeasible: boolean } {
  const grid = picture(shown);
  const rows = grid.length;
  const columns = (grid[0] ?? []).length;
  const trueGrid = picture(suppressSmallCounts(table(truth), 1)) as number[][];
  // "×" has no upper bound for a reader; a cap well above every true value stands for "any" in the enumeration.
  const cap = ((trueGrid[rows - 1] as number[])[columns - 1] as number) + 10;
  const unknowns: { r: number; c: number; low: number; high: number }[] = [];
  grid.forEach((line, r) =>
    line.forEach((v, c) => {
      if (v === "s") unknowns.push({ r, c, low: 1, high: shown.threshold - 1 });
      if (v === "x") unknowns.push({ r, c, low: 0, high: cap });
    }),
  );
  const value: (number | undefined)[][] = grid.map((line) => line.map((v) => (typeof v === "number" ? v : undefined)));
  const seen = unknowns.map(() => new Set<number>());
  let truthFeasible = false;
  // A line is its entries (all but the last position) and its total (the last position).
  const lines: [number, number][][] = [
    ...Array.from({ length: rows }, (_, r) => Array.from({ length: columns }, (_, c) => [r, c] as [number, number])),
    ...Array.from({ length: columns }, (_, c) => Array.from({ length: rows }, (_, r) => [r, c] as [number, number])),
  ];
  const consistent = () =>
    lines.every((line) => {
      const total = line.at(-1) as [number, number];
      const entries = line.slice(0, -1);
      const known = [...entries, total].every(([r, c]) => (value[r] as (number | undefined)[])[c] !== undefined);
      if (!known) return true;
      const sum = entries.reduce((s, [r, c]) => s + ((value[r] as number[])[c] as number), 0);
      return sum === (value[total[0]] as number[])[total[1]];
    });
  const search = (i: number): void => {
    if (seen.every((s) => s.size >= 2)) return;
    if (i === unknowns.length) {
      unknowns.forEach((u, k) => (seen[k] as Set<number>).add((value[u.r] as number[])[u.c] as number));
      if (unknowns.every((u) => (value[u.r] as number[])[u.c] === (trueGrid[u.r] as number[])[u.c]))
        truthFeasible = true;
      return;
    }
    const u = unknowns[i] as (typeof unknowns)[number];
    for (let v = u.low; v <= u.high; v++) {
      (value[u.r] as (number | undefined)[])[u.c] = v;
      if (consistent()) search(i + 1);
    }
    (value[u.r] as (number | undefined)[])[u.c] = undefined;
  };
  search(0);
  // Enumeration may stop early once everything has two values; then the truth was not necessarily reached.
  if (!truthFeasible && seen.every((s) => s.size >= 2)) truthFeasible = true;
  return {
    pinned: unknowns.filter((_, k) => (seen[k] as Set<number>).size < 2).map((u) => `${u.r},${u.c}`),
    truthFeasible,
  };
}

describe("suppressSmallCounts, property", () => {
  it("no hidden value can be worked out from the totals shown, and every small count is hidden", () => {
    const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 5, max: 12 }));
    const tables = fc
      .record({ rows: fc.integer({ min: 1, max: 3 }), columns: fc.integer({ min: 1, max: 3 }) })
      .chain(({ rows, columns }) =>
        fc.array(fc.array(count, { minLength: columns, maxLength: columns }), { minLength: rows, maxLength: rows }),
      );
    fc.assert(
      fc.property(tables, fc.constantFrom(3, 5), (cells, threshold) => {
        const shown = suppressSmallCounts(table(cells), threshold);
        cells.forEach((row, r) =>
          row.forEach((v, c) => {
            if (v > 0 && v < threshold) expect(shown.cells[r]?.[c]).toEqual({ kind: "hidden", reason: "small" });
          }),
        );
        const { pinned, truthFeasible } = derivable(cells, shown);
        expect(truthFeasible).toBe(true);
        expect(pinned).toEqual([]);
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });
});
