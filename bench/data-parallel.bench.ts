/**
 * Data-parallel training throughput: steps/s with 1 and 2 workers on the same model and global batch, side by
 * side in one run (1 and 2 workers alternate; medians of 5 runs of 10 steps after 2 warm-up steps), at 64² and
 * 128² inputs, and where a step's time goes. The 1-worker run is the same code path (one worker thread, the
 * same shared buffers), not the model trained in the owner's thread.
 * The batch is host data made once, as a prefetching data loader would hand it over; every step the trainer
 * copies it into its shared input buffer (that copy is counted, as `copy`).
 * Target (issue 5): 2 workers ≥ 1.6× 1 worker. Run it on a quiet machine: the load average is printed.
 */
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { createDataParallelTrainer, hostTensor, type StepResult } from '../engine/learn/data-parallel.ts';
import { buildModel } from '../engine/testing/parallel-model.ts';
import { loadLine, median, printTable } from './stats.ts';

const SIZES = (process.env['PARALLEL_BENCH_SIZES'] ?? '64,128').split(',').map(Number);
const REPEATS = Number(process.env['PARALLEL_BENCH_REPEATS'] ?? 5);
const BATCH = 32;
const STEPS = 10;
const MODULE = new URL('../engine/testing/parallel-model.ts', import.meta.url);
await initTensorflow();

type Phases = Record<'copy' | 'wake' | 'load' | 'compute' | 'barrier' | 'reduce' | 'collect', number>;

/** Mean milliseconds per step in each phase (worker phases averaged over the workers). */
function phases(timings: StepResult['timings'][]): Phases {
  const mean = (f: (t: StepResult['timings']) => number) =>
    timings.reduce((sum, t) => sum + f(t), 0) / timings.length;
  const workerMean = (key: 'wake' | 'load' | 'compute' | 'barrier' | 'reduce') =>
    mean((t) => t.workers.reduce((sum, w) => sum + w[key], 0) / t.workers.length);
  return {
    copy: mean((t) => t.copy),
    wake: workerMean('wake'),
    load: workerMean('load'),
    compute: workerMean('compute'),
    barrier: workerMean('barrier'),
    reduce: workerMean('reduce'),
    collect: mean((t) => t.collect),
  };
}

async function run(workers: number, size: number): Promise<{ stepsPerSec: number; phases: Phases }> {
  // The workers' model reads its input size from the environment they start with; its parameters do not
  // depend on it (global average pooling), so the owner's copy serves every size.
  process.env['UNMASK_PARALLEL_INPUT'] = String(size);
  const model = buildModel();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const trainer = await createDataParallelTrainer({
    moduleUrl: MODULE,
    workers,
    variables,
    optimizer: tf.train.adam(1e-3),
  });
  const x = tf.randomUniform([BATCH, size, size, 3], 0, 1, 'float32', 1);
  const y = tf.randomNormal([BATCH, 1], 0, 1, 'float32', 2);
  const batch = { x: hostTensor(x), y: hostTensor(y) };
  tf.dispose([x, y]);
  try {
    for (let i = 0; i < 2; i++) await trainer.step(batch);
    const timings: StepResult['timings'][] = [];
    const started = performance.now();
    for (let i = 0; i < STEPS; i++) timings.push((await trainer.step(batch)).timings);
    return { stepsPerSec: STEPS / ((performance.now() - started) / 1000), phases: phases(timings) };
  } finally {
    await trainer.close();
    model.dispose();
  }
}

console.log(`\n## Data-parallel training — conv net, batch ${BATCH}, wasm backend per worker\n`);
console.log(loadLine('at the start'));
const rows: Array<Record<string, string | number>> = [];
const breakdown: Array<Record<string, string | number>> = [];
for (const size of SIZES) {
  const runs: Record<1 | 2, Array<Awaited<ReturnType<typeof run>>>> = { 1: [], 2: [] };
  for (let r = 0; r < REPEATS; r++) {
    runs[1].push(await run(1, size));
    runs[2].push(await run(2, size));
  }
  const one = median(runs[1].map((r) => r.stepsPerSec));
  const two = median(runs[2].map((r) => r.stepsPerSec));
  rows.push({
    input: `${size}²`,
    '1 worker steps/s': one,
    '2 workers steps/s': two,
    'speed-up': `${(two / one).toFixed(2)}×`,
    'runs (1 | 2 workers)': `${runs[1].map((r) => r.stepsPerSec.toFixed(1)).join(' ')} | ${runs[2].map((r) => r.stepsPerSec.toFixed(1)).join(' ')}`,
  });
  for (const workers of [1, 2] as const) {
    const row: Record<string, string | number> = {
      input: `${size}²`,
      workers,
      'ms/step': 1000 / median(runs[workers].map((r) => r.stepsPerSec)),
    };
    for (const key of Object.keys(runs[workers][0]!.phases) as Array<keyof Phases>) {
      row[key] = median(runs[workers].map((r) => r.phases[key]));
    }
    breakdown.push(row);
  }
}
printTable(rows);
console.log(`\ntarget: 2 workers ≥ 1.6× 1 worker`);
console.log(
  '\nWhere a step goes (ms, medians over the runs of the per-step means; worker phases averaged over workers):',
);
console.log(
  'copy = owner copies the batch into shared memory, wake = owner signal → worker starts, load = parameters into ' +
    'the worker, compute = forward+backward+gradient out, barrier = waiting for the other worker, reduce = ' +
    'sum + optimizer on its slice, collect = last worker done → owner has the results\n',
);
printTable(breakdown);
console.log(loadLine('at the end'));
