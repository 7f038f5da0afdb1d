/**
 * Swap training memory over a long run (issue 4: "peak RSS is stable over a 2-hour training run"): runs the
 * real `unmask swap train` (64 px template model, the default 2 data-parallel workers) on a project of synthetic
 * faces for SWAP_MEMORY_MINUTES (default 3; the issue's measurement uses 120), sampling the process's resident
 * set (VmRSS, worker threads included) every few seconds; it checkpoints every 25 steps and writes a preview every
 * 100, as a real run does. Prints the peak RSS of each tenth of the run, the growth from the end of the wasm
 * heaps' warm-up (SWAP_MEMORY_WARMUP_STEPS, default 400 steps) to the last tenth, and a least-squares slope in
 * MiB per hour over the same span.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSwapArchitecture } from '../engine/swap/swap-architecture.ts';
import { createSwapProject } from '../engine/swap/swap-project.ts';
import { syntheticFaceSet } from '../engine/testing/synthetic-faces.ts';
import { loadLine, printTable } from './stats.ts';

const MINUTES = Number(process.env['SWAP_MEMORY_MINUTES'] ?? 3);
const WARM_UP_STEPS = Number(process.env['SWAP_MEMORY_WARMUP_STEPS'] ?? 400);
const SAMPLE_MS = Math.max(1000, Math.min(10_000, MINUTES * 600));
const CLI = fileURLToPath(new URL('../bin/unmask.js', import.meta.url));

function residentMiB(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // the process has exited
  }
}

function slopePerHour(samples: ReadonlyArray<{ t: number; rss: number }>): number {
  const n = samples.length;
  const mt = samples.reduce((s, p) => s + p.t, 0) / n;
  const mr = samples.reduce((s, p) => s + p.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of samples) {
    num += (p.t - mt) * (p.rss - mr);
    den += (p.t - mt) ** 2;
  }
  return den > 0 ? (num / den) * 3600 : 0;
}

const CONSENT = 'synthetic faces, no person (memory benchmark)';
const dir = mkdtempSync(join(tmpdir(), 'unmask-swap-memory-'));
const project = join(dir, 'project');
try {
  await createSwapProject(
    project,
    {
      consent: {
        statement: CONSENT,
        attestedAt: new Date().toISOString(),
      },
      architecture: defaultSwapArchitecture('template', 64),
      seed: 1,
      batchSize: 8,
      learningRate: 5e-4,
      cycle: false,
      inputs: { a: ['synthetic-a'], b: ['synthetic-b'] },
    },
    { a: syntheticFaceSet('a', 64, 64, 1), b: syntheticFaceSet('b', 64, 64, 2) },
  );
  console.log(
    `\n## Swap training memory — template 64 px, 2 workers, ${MINUTES} min of \`unmask swap train\`\n`,
  );
  console.log(loadLine('at the start'));
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [
      CLI,
      'swap',
      'train',
      '--out',
      project,
      '--consent',
      CONSENT,
      '--steps',
      '10000000',
      '--minutes',
      String(MINUTES),
      '--checkpoint-every',
      '25',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let lastStep = 0;
  let stderr = '';
  const onOutput = (chunk: Buffer) => {
    const text = chunk.toString();
    for (const match of text.matchAll(/step (\d+)[/ ]/g)) lastStep = Number(match[1]);
    stderr = (stderr + text).slice(-4000);
  };
  child.stdout.on('data', onOutput);
  child.stderr.on('data', onOutput);
  const samples: Array<{ t: number; rss: number; step: number }> = [];
  const timer = setInterval(() => {
    const rss = residentMiB(child.pid!);
    if (rss !== undefined) samples.push({ t: (Date.now() - started) / 1000, rss, step: lastStep });
  }, SAMPLE_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`unmask swap train exited with ${code}:\n${stderr}`);
  if (samples.length < 20) throw new Error(`only ${samples.length} RSS samples; run longer`);

  const tenths = Array.from({ length: 10 }, (_, k) =>
    samples.filter((s) => Math.min(9, Math.floor((s.t / samples.at(-1)!.t) * 10)) === k),
  );
  printTable(
    tenths.map((part, k) => ({
      'part of run': `${k * 10}–${k * 10 + 10} %`,
      minutes: `${(part[0]!.t / 60).toFixed(1)}–${(part.at(-1)!.t / 60).toFixed(1)}`,
      'steps reached': part.at(-1)!.step,
      'peak RSS MiB': Math.max(...part.map((s) => s.rss)).toFixed(0),
    })),
  );
  // The wasm heaps grow to their working size over the first few hundred steps (about 400 in the two-hour run),
  // so growth is measured from the first step count past that warm-up, not from a share of the wall time, which
  // on a busy machine can still fall inside it. Runs too short to pass it fall back to their second half.
  const pastWarmUp = samples.filter((s) => s.step >= WARM_UP_STEPS);
  const settled = pastWarmUp.length >= 10 ? pastWarmUp : samples.slice(Math.floor(samples.length / 2));
  const baselineWindow = settled.filter(
    (s) => s.t <= settled[0]!.t + (settled.at(-1)!.t - settled[0]!.t) / 10,
  );
  const first = Math.max(...baselineWindow.map((s) => s.rss));
  const last = Math.max(...tenths[9]!.map((s) => s.rss));
  const from =
    settled === pastWarmUp
      ? `step ${settled[0]!.step} (first sample past the ${WARM_UP_STEPS}-step warm-up)`
      : `the second half of the run (it never passed the ${WARM_UP_STEPS}-step warm-up)`;
  console.log(
    `\n${samples.length} samples, ${samples.at(-1)!.step} steps in ${(samples.at(-1)!.t / 60).toFixed(1)} min. ` +
      `Peak RSS from ${from}: ${first.toFixed(0)} MiB; last 10 % of the run: ${last.toFixed(0)} MiB ` +
      `(growth ${(last - first).toFixed(1)} MiB, ${(((last - first) / first) * 100).toFixed(1)} %); ` +
      `slope after warm-up ${slopePerHour(settled).toFixed(1)} MiB/hour.`,
  );
  console.log(loadLine('at the end'));
  if (process.env['SWAP_MEMORY_DEBUG']) console.log(stderr);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
