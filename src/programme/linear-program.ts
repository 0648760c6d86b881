/**
 * A small linear-programming solver (the simplex method on a dense tableau, Bland's rule so that it cannot cycle),
 * for the suppression audit: the least and the greatest a hidden count can be, given the table's equations and
 * the ranges a reader knows. Problems here are tiny (tens of variables), so clarity wins over speed.
 */

const EPSILON = 1e-9;

/** Σ a·x = b over variables `0..n-1`. */
export interface LinearEquation {
  terms: readonly { v: number; a: number }[];
  b: number;
}

/**
 * The smallest value of `x[target]` (or the largest, with `maximise`) subject to the equations and
 * `low[i] ≤ x[i] ≤ high[i]` (`high` may be Infinity). Undefined when no x satisfies them; ±Infinity when unbounded.
 * `onSolution`, when given, receives the optimal x (when bounded), so a caller can learn from it about every variable.
 */
export function optimise(
  equations: readonly LinearEquation[],
  low: readonly number[],
  high: readonly number[],
  target: number,
  maximise = false,
  onSolution?: (x: number[]) => void,
): number | undefined {
  const n = low.length;
  // Shift to y = x − low ≥ 0; a finite upper bound becomes y_i + s_i = high_i − low_i with a slack s_i ≥ 0.
  const bounded = high.flatMap((h, i) => (Number.isFinite(h) ? [i] : []));
  const columns = n + bounded.length;
  const rows: number[][] = [];
  for (const e of equations) {
    const row = new Array<number>(columns + 1).fill(0);
    let b = e.b;
    for (const t of e.terms) {
      row[t.v] = (row[t.v] as number) + t.a;
      b -= t.a * (low[t.v] as number);
    }
    row[columns] = b;
    rows.push(row);
  }
  bounded.forEach((i, k) => {
    const row = new Array<number>(columns + 1).fill(0);
    row[i] = 1;
    row[n + k] = 1;
    row[columns] = (high[i] as number) - (low[i] as number);
    rows.push(row);
  });
  for (const row of rows)
    if ((row[columns] as number) < 0) for (let k = 0; k <= columns; k++) row[k] = -(row[k] as number);

  // Phase 1: an artificial variable per row, minimise their sum.
  const m = rows.length;
  const width = columns + m;
  const tableau = rows.map((row, i) => {
    const full = new Array<number>(width + 1).fill(0);
    for (let k = 0; k < columns; k++) full[k] = row[k] as number;
    full[columns + i] = 1;
    full[width] = row[columns] as number;
    return full;
  });
  const basis = rows.map((_, i) => columns + i);
  const phaseOne = new Array<number>(width).fill(0).map((_, k) => (k >= columns ? 1 : 0));
  if (solve(tableau, basis, phaseOne, width) > EPSILON) return undefined;

  // An artificial variable still in the basis (at zero) must leave it: a later pivot could otherwise raise it and
  // make the solution break an equation. Its row either has another non-zero entry to pivot on, or is redundant.
  for (let i = tableau.length - 1; i >= 0; i--) {
    if ((basis[i] as number) < columns) continue;
    const row = tableau[i] as number[];
    const k = row.findIndex((a, j) => j < columns && Math.abs(a) > EPSILON);
    if (k >= 0) {
      pivot(tableau, i, k, width);
      basis[i] = k;
    } else {
      tableau.splice(i, 1);
      basis.splice(i, 1);
    }
  }

  // Phase 2: the real objective, artificial columns barred from entering.
  const objective = new Array<number>(width).fill(0);
  objective[target] = maximise ? -1 : 1;
  const barred = (k: number) => k >= columns;
  const value = solve(tableau, basis, objective, width, barred);
  if (!Number.isFinite(value)) return maximise ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  if (onSolution) {
    const x = [...low];
    basis.forEach((k, i) => {
      if (k < n) x[k] = (x[k] as number) + ((tableau[i] as number[])[width] as number);
    });
    onSolution(x);
  }
  const y = value * (maximise ? -1 : 1);
  return y + (low[target] as number);
}

/**
 * Minimises cost·z over the tableau (rows: z_basis + Σ a z = rhs) in place; returns the optimum, or −Infinity
 * when unbounded.
 */
function solve(
  tableau: number[][],
  basis: number[],
  cost: readonly number[],
  width: number,
  barred: (k: number) => boolean = () => false,
): number {
  for (let step = 0; step < 5000; step++) {
    // Reduced cost of column k: cost_k − Σ cost_basis × a_ik.
    let entering = -1;
    for (let k = 0; k < width && entering < 0; k++) {
      if (barred(k) || basis.includes(k)) continue;
      let reduced = cost[k] as number;
      tableau.forEach((row, i) => (reduced -= (cost[basis[i] as number] as number) * (row[k] as number)));
      if (reduced < -EPSILON) entering = k;
    }
    if (entering < 0) break;
    let leaving = -1;
    let ratio = Number.POSITIVE_INFINITY;
    tableau.forEach((row, i) => {
      const a = row[entering] as number;
      if (a <= EPSILON) return;
      const r = (row[width] as number) / a;
      if (
        r < ratio - EPSILON ||
        (Math.abs(r - ratio) <= EPSILON && (basis[i] as number) < (basis[leaving] as number))
      ) {
        ratio = r;
        leaving = i;
      }
    });
    if (leaving < 0) return Number.NEGATIVE_INFINITY;
    pivot(tableau, leaving, entering, width);
    basis[leaving] = entering;
  }
  return tableau.reduce((sum, row, i) => sum + (cost[basis[i] as number] as number) * (row[width] as number), 0);
}

function pivot(tableau: number[][], r: number, c: number, width: number): void {
  const row = tableau[r] as number[];
  const scale = row[c] as number;
  for (let k = 0; k <= width; k++) row[k] = (row[k] as number) / scale;
  tableau.forEach((other, i) => {
    const factor = other[c] as number;
    if (i === r || Math.abs(factor) < EPSILON) return;
    for (let k = 0; k <= width; k++) other[k] = (other[k] as number) - factor * (row[k] as number);
  });
}
