/**
 * Minimum-cost assignment (Hungarian / Kuhn–Munkres with potentials, O(n²m)) for a rectangular cost matrix.
 * Deterministic for a given matrix. Returns, for each row, the assigned column or -1 (when rows > columns).
 */
export function assignMinCost(cost: readonly (readonly number[])[]): number[] {
  const rows = cost.length;
  const cols = rows === 0 ? 0 : cost[0]!.length;
  if (rows === 0) return [];
  if (cols === 0) return new Array<number>(rows).fill(-1);
  for (const row of cost) {
    if (row.length !== cols) throw new RangeError('cost matrix rows differ in length');
    for (const c of row) if (!Number.isFinite(c)) throw new RangeError('cost matrix must be finite');
  }
  if (rows > cols) {
    const transposed = Array.from({ length: cols }, (_, j) => cost.map((row) => row[j]!));
    const byCol = assignMinCost(transposed);
    const result = new Array<number>(rows).fill(-1);
    byCol.forEach((row, col) => {
      if (row >= 0) result[row] = col;
    });
    return result;
  }
  // 1-based arrays; column 0 is a virtual column.
  const n = rows;
  const m = cols;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(m + 1).fill(Infinity);
    const used = new Uint8Array(m + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0]!;
      let delta = Infinity;
      let j1 = 0;
      const row = cost[i0 - 1]!;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = row[j - 1]! - u[i0]! - v[j]!;
        if (cur < minv[j]!) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j]! < delta) {
          delta = minv[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          const r = p[j]!;
          u[r] = u[r]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minv[j] = minv[j]! - delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0]!;
      p[j0] = p[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Array<number>(n).fill(-1);
  for (let j = 1; j <= m; j++) if (p[j]! > 0) result[p[j]! - 1] = j - 1;
  return result;
}
