/**
 * Swap-model training speed and memory: steps/s of the 64 px template model (batch 8 per identity, so 16 faces
 * a step) on our wasm backend — in one thread, and with 2 data-parallel workers as `unmask swap train` uses by
 * default — against PyTorch CPU on 1 and 2 threads on the same architecture, loss and optimizer, side by side in
 * one run; the RSS of the in-thread wasm trainer sampled every step; the UNIT variant on wasm in one thread.
 * Target (issue 4): wasm ≥ 0.5× PyTorch. The ratios are printed for every pairing, and the load average with them.
 * PyTorch comes from Debian's python3-torch at /usr/bin/python3; it is installed with apt when missing (root).
 * SWAP_BENCH_STEPS (default 12) sets the measured steps per run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { defaultSwapArchitecture, type SwapModelKind } from '../engine/swap/swap-architecture.ts';
import { DEFAULT_SWAP_LOSS_WEIGHTS } from '../engine/swap/swap-loss.ts';
import { buildSwapNetworks } from '../engine/swap/swap-networks.ts';
import {
  createDataParallelTrainer,
  evenShards,
  hostTensor,
  type ShardPlan,
} from '../engine/learn/data-parallel.ts';
import type { SwapShardConfig } from '../engine/swap/swap-shard.ts';
import {
  flattenSwapBatches,
  identityShards,
  swapTrainStep,
  type SwapBatch,
} from '../engine/swap/train-swap.ts';
import { loadLine, median, PHASE_LEGEND, PHASES, printTable, stepPhases, type Phase } from './stats.ts';

const BATCH = 8;
const STEPS = Number(process.env['SWAP_BENCH_STEPS'] ?? 12);
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = fileURLToPath(new URL('./swap_template_torch.py', import.meta.url));
await initTensorflow();

function randomBatch(size: number, seed: number): SwapBatch {
  return {
    input: tf.randomUniform([BATCH, size, size, 3], 0, 1, 'float32', seed),
    target: tf.randomUniform([BATCH, size, size, 3], 0, 1, 'float32', seed + 1),
    mask: tf
      .randomUniform([BATCH, size, size, 1], 0, 1, 'float32', seed + 2)
      .greater(0.3)
      .toFloat(),
    weight: tf.ones([BATCH, size, size, 1]),
  } as SwapBatch;
}

function wasmRun(kind: SwapModelKind): { stepsPerSec: number; rss: number[]; params: number } {
  const architecture = defaultSwapArchitecture(kind, 64);
  const networks = buildSwapNetworks(architecture, 1);
  const optimizer = tf.train.adam(5e-4, 0.5, 0.999);
  const batches = { a: randomBatch(64, 1), b: randomBatch(64, 11) };
  const rss: number[] = [];
  for (let i = 0; i < 2; i++) swapTrainStep(networks, optimizer, batches, DEFAULT_SWAP_LOSS_WEIGHTS, false);
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) {
    swapTrainStep(networks, optimizer, batches, DEFAULT_SWAP_LOSS_WEIGHTS, false);
    rss.push(process.memoryUsage().rss / 2 ** 20);
  }
  const stepsPerSec = STEPS / ((performance.now() - started) / 1000);
  const params = networks.parameterCount();
  networks.dispose();
  optimizer.dispose();
  for (const b of Object.values(batches)) tf.dispose(Object.values(b));
  return { stepsPerSec, rss, params };
}

/**
 * Steps/s of the template model with `workers` data-parallel worker threads (the owner only posts batches), the
 * batch split by `planShards`: identityShards (what `swap train` uses) or evenShards (both identities halved).
 */
async function wasmWorkersRun(
  workers: number,
  planShards: ShardPlan,
): Promise<{ stepsPerSec: number; phases: Array<Record<Phase, number>> }> {
  const architecture = defaultSwapArchitecture('template', 64);
  const networks = buildSwapNetworks(architecture, 1);
  const optimizer = tf.train.adam(5e-4, 0.5, 0.999);
  const trainer = await createDataParallelTrainer({
    moduleUrl: new URL('../engine/swap/swap-shard.ts', import.meta.url),
    config: { architecture, lossWeights: DEFAULT_SWAP_LOSS_WEIGHTS, cycle: false } satisfies SwapShardConfig,
    workers,
    variables: networks.trainableVariables(),
    optimizer,
    planShards,
  });
  const tensors = { a: randomBatch(64, 1), b: randomBatch(64, 11) };
  const host = (b: SwapBatch) => ({
    input: hostTensor(b.input),
    target: hostTensor(b.target),
    mask: hostTensor(b.mask),
    weight: hostTensor(b.weight),
  });
  const batch = flattenSwapBatches({ a: host(tensors.a), b: host(tensors.b) });
  try {
    for (let i = 0; i < 2; i++) await trainer.step(batch);
    const phases: Array<Record<Phase, number>> = [];
    const started = performance.now();
    for (let i = 0; i < STEPS; i++) phases.push(stepPhases((await trainer.step(batch)).timings));
    return { stepsPerSec: STEPS / ((performance.now() - started) / 1000), phases };
  } finally {
    await trainer.close();
    networks.dispose();
    optimizer.dispose();
    for (const b of Object.values(tensors)) tf.dispose(Object.values(b));
  }
}

function ensureTorch(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return true;
  if (process.getuid?.() !== 0) {
    console.log(
      'python3-torch is missing and this is not root: skipping the PyTorch side (apt-get install python3-torch).',
    );
    return false;
  }
  console.log('Installing python3-torch with apt…');
  const install = spawnSync(
    'sh',
    ['-c', 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch'],
    { stdio: 'inherit' },
  );
  return install.status === 0 && spawnSync(PYTHON, ['-c', 'import torch']).status === 0;
}

function torchRun(threads: number): { stepsPerSec: number; params: number } {
  const architecture = defaultSwapArchitecture('template', 64);
  const out = execFileSync(
    PYTHON,
    [TORCH_SCRIPT, String(BATCH), String(STEPS), String(threads), JSON.stringify(architecture)],
    {
      encoding: 'utf8',
    },
  );
  const result = JSON.parse(out.trim().split('\n').at(-1)!) as { steps_per_sec: number; params: number };
  return { stepsPerSec: result.steps_per_sec, params: result.params };
}

console.log(
  `\n## Swap training — 64 px, batch ${BATCH} per identity (16 faces/step), ${STEPS} steps per run, median of 3\n`,
);
console.log(loadLine('at the start'));
const wasm: number[] = [];
const wasm2: number[] = [];
const wasm2Even: number[] = [];
const unit: number[] = [];
const torch1: number[] = [];
const torch2: number[] = [];
let rss: number[] = [];
let wasm2Phases: Array<Record<Phase, number>> = [];
let params = 0;
let torchParams = 0;
const haveTorch = ensureTorch();
for (let r = 0; r < 3; r++) {
  const run = wasmRun('template');
  wasm.push(run.stepsPerSec);
  rss = rss.concat(run.rss);
  params = run.params;
  const parallel = await wasmWorkersRun(2, identityShards);
  wasm2.push(parallel.stepsPerSec);
  wasm2Phases = wasm2Phases.concat(parallel.phases);
  wasm2Even.push((await wasmWorkersRun(2, evenShards)).stepsPerSec);
  unit.push(wasmRun('unit').stepsPerSec);
  if (haveTorch) {
    const t1 = torchRun(1);
    torch1.push(t1.stepsPerSec);
    torchParams = t1.params;
    torch2.push(torchRun(2).stepsPerSec);
  }
}
const rows: Array<Record<string, string | number>> = [
  { runtime: 'tfjs wasm, 1 thread (in-process), template', 'steps/s': median(wasm), params },
  { runtime: 'tfjs wasm, 2 data-parallel workers, template', 'steps/s': median(wasm2), params },
  { runtime: 'the same, each identity halved (evenShards)', 'steps/s': median(wasm2Even), params: '' },
  { runtime: 'tfjs wasm, 1 thread, UNIT', 'steps/s': median(unit), params: '' },
];
if (haveTorch) {
  const version = execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], {
    encoding: 'utf8',
  }).trim();
  rows.push({ runtime: `PyTorch ${version} CPU, 1 thread`, 'steps/s': median(torch1), params: torchParams });
  rows.push({ runtime: `PyTorch ${version} CPU, 2 threads`, 'steps/s': median(torch2), params: torchParams });
}
printTable(rows);
if (haveTorch) {
  const ratio = (a: number[], b: number[]) => median(a) / median(b);
  const verdict = (r: number) => `${r.toFixed(2)}× ${r >= 0.5 ? '(meets ≥ 0.5×)' : '(below 0.5×)'}`;
  console.log('\nwasm / PyTorch (target ≥ 0.5×):');
  console.log(`  1 thread each (like for like):          ${verdict(ratio(wasm, torch1))}`);
  console.log(`  2 cores each (2 workers vs 2 threads):  ${verdict(ratio(wasm2, torch2))}`);
  console.log(`  2 workers vs PyTorch on 1 thread:       ${verdict(ratio(wasm2, torch1))}`);
  console.log(`  2 workers / 1 thread (wasm speed-up):   ${ratio(wasm2, wasm).toFixed(2)}×`);
}
console.log(`identity shards / even shards (2 workers): ${(median(wasm2) / median(wasm2Even)).toFixed(2)}×`);
console.log(
  '\nWhere a 2-worker step goes (ms, medians over the steps; worker phases averaged over the workers):',
);
console.log(PHASE_LEGEND);
printTable([Object.fromEntries(PHASES.map((key) => [key, median(wasm2Phases.map((p) => p[key]))]))]);
const half = Math.floor(rss.length / 2);
const early = Math.max(...rss.slice(0, half));
const late = Math.max(...rss.slice(half));
console.log(
  `RSS over ${rss.length} wasm template steps: first half peak ${early.toFixed(0)} MiB, second half peak ${late.toFixed(0)} MiB (growth ${(late - early).toFixed(1)} MiB)`,
);
console.log(loadLine('at the end'));
