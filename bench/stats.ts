/** Small helpers shared by benchmarks. */
import { availableParallelism, loadavg } from 'node:os';
import type { StepResult } from '../engine/learn/data-parallel.ts';
export function median(values: readonly number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function printTable(rows: Array<Record<string, string | number>>): void {
  if (rows.length === 0) return;
  const headers = Object.keys(rows[0]!);
  const cell = (v: string | number) =>
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(2)) : v;
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => cell(r[h] ?? '').length)));
  const line = (values: string[]) => `| ${values.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(headers));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows) console.log(line(headers.map((h) => cell(row[h] ?? ''))));
}

/** One line with the machine's load average, so that numbers measured on a shared machine carry their context. */
export function loadLine(when: string): string {
  const load = loadavg().map((l) => l.toFixed(1));
  return `load average ${when} (1/5/15 min): ${load.join(' ')} on ${availableParallelism()} cores`;
}

export type Phase = 'copy' | 'wake' | 'load' | 'compute' | 'barrier' | 'reduce' | 'collect';
export const PHASES: readonly Phase[] = ['copy', 'wake', 'load', 'compute', 'barrier', 'reduce', 'collect'];

/** One step's milliseconds per phase (worker phases averaged over the workers). */
export function stepPhases(t: StepResult['timings']): Record<Phase, number> {
  const workerMean = (key: Exclude<Phase, 'copy' | 'collect'>) =>
    t.workers.reduce((sum, w) => sum + w[key], 0) / t.workers.length;
  return {
    copy: t.copy,
    wake: workerMean('wake'),
    load: workerMean('load'),
    compute: workerMean('compute'),
    barrier: workerMean('barrier'),
    reduce: workerMean('reduce'),
    collect: t.collect,
  };
}

export const PHASE_LEGEND =
  'copy = owner copies the batch into shared memory, wake = owner signal → worker starts, load = parameters into ' +
  'the worker, compute = forward+backward+gradient out, barrier = waiting for the other worker, reduce = ' +
  'sum + optimizer on its slice, collect = last worker done → owner has the results';
