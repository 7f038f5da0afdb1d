/**
 * Data-parallel training throughput: steps/s with 1 and 2 workers on the same model and global batch, at 64²
 * and 128² inputs, and where a step's time goes. The 1-worker trainer is the same code path (one worker thread,
 * the same shared buffers), not the model trained in the owner's thread.
 * Both trainers live side by side and take turns step by step (the order flips every round), so a change in
 * the machine's background load during the run hits both alike; between its steps a trainer's workers block
 * in Atomics.wait and cost nothing. Each step is timed on its own: the table gives steps/s from the median
 * step and from the mean step (throughput, slow steps included).
 * The batch is host data made once, as a prefetching data loader would hand it over; every step the trainer
 * copies it into its shared input buffer (that copy is counted, as `copy`).
 * Target (issue 5): 2 workers ≥ 1.6× 1 worker. Run it on a quiet machine: the load average is printed.
 */
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import {
  createDataParallelTrainer,
  hostTensor,
  type DataParallelTrainer,
  type HostBatch,
} from '../engine/learn/data-parallel.ts';
import { buildModel } from '../engine/testing/parallel-model.ts';
import { loadLine, median, PHASE_LEGEND, PHASES, printTable, stepPhases, type Phase } from './stats.ts';

const SIZES = (process.env['PARALLEL_BENCH_SIZES'] ?? '64,128').split(',').map(Number);
const STEPS = Number(process.env['PARALLEL_BENCH_STEPS'] ?? 40);
const WARM_UP = 3;
const BATCH = 32;
const MODULE = new URL('../engine/testing/parallel-model.ts', import.meta.url);
await initTensorflow();

interface Side {
  workers: number;
  trainer: DataParallelTrainer;
  model: tf.LayersModel;
  stepMs: number[];
  phases: Array<Record<Phase, number>>;
}

async function side(workers: number): Promise<Side> {
  const model = buildModel();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const trainer = await createDataParallelTrainer({
    moduleUrl: MODULE,
    workers,
    variables,
    optimizer: tf.train.adam(1e-3),
  });
  return { workers, trainer, model, stepMs: [], phases: [] };
}

async function timedStep(s: Side, batch: HostBatch, record: boolean): Promise<void> {
  const started = performance.now();
  const { timings } = await s.trainer.step(batch);
  if (!record) return;
  s.stepMs.push(performance.now() - started);
  s.phases.push(stepPhases(timings));
}

console.log(`\n## Data-parallel training — conv net, batch ${BATCH}, wasm backend per worker\n`);
console.log(loadLine('at the start'));
const rows: Array<Record<string, string | number>> = [];
const breakdown: Array<Record<string, string | number>> = [];
for (const size of SIZES) {
  // The workers' model reads its input size from the environment they start with; its parameters do not
  // depend on it (global average pooling), so the owner's copy serves every size.
  process.env['UNMASK_PARALLEL_INPUT'] = String(size);
  const x = tf.randomUniform([BATCH, size, size, 3], 0, 1, 'float32', 1);
  const y = tf.randomNormal([BATCH, 1], 0, 1, 'float32', 2);
  const batch = { x: hostTensor(x), y: hostTensor(y) };
  tf.dispose([x, y]);
  const sides = [await side(1), await side(2)];
  try {
    for (let round = 0; round < WARM_UP + STEPS; round++) {
      const order = round % 2 ? [...sides].reverse() : sides;
      for (const s of order) await timedStep(s, batch, round >= WARM_UP);
    }
  } finally {
    for (const s of sides) {
      await s.trainer.close();
      s.model.dispose();
    }
  }
  const [one, two] = sides.map((s) => {
    const mean = s.stepMs.reduce((a, b) => a + b, 0) / s.stepMs.length;
    return { median: 1000 / median(s.stepMs), mean: 1000 / mean };
  }) as [{ median: number; mean: number }, { median: number; mean: number }];
  rows.push({
    input: `${size}²`,
    '1 worker steps/s (median | mean)': `${one.median.toFixed(2)} | ${one.mean.toFixed(2)}`,
    '2 workers steps/s (median | mean)': `${two.median.toFixed(2)} | ${two.mean.toFixed(2)}`,
    'speed-up (median | mean)': `${(two.median / one.median).toFixed(2)}× | ${(two.mean / one.mean).toFixed(2)}×`,
  });
  for (const s of sides) {
    const row: Record<string, string | number> = {
      input: `${size}²`,
      workers: s.workers,
      'median ms/step': median(s.stepMs),
    };
    for (const key of PHASES) row[key] = median(s.phases.map((p) => p[key]));
    breakdown.push(row);
  }
}
console.log(
  `${STEPS} timed steps per trainer after ${WARM_UP} warm-up steps, 1 and 2 workers alternating:\n`,
);
printTable(rows);
console.log(`\ntarget: 2 workers ≥ 1.6× 1 worker`);
console.log('\nWhere a step goes (ms, medians over the steps; worker phases averaged over the workers):');
console.log(`${PHASE_LEGEND}\n`);
printTable(breakdown);
console.log(loadLine('at the end'));
