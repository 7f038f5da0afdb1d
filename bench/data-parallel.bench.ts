/**
 * Data-parallel training throughput: steps/s with 1 and 2 workers on the same model and global batch, side by
 * side in one run (medians of 3 runs of 8 steps after 2 warm-up steps), at 64² and 128² inputs.
 * Target (issue 5): 2 workers ≥ 1.6× 1 worker. Run it on a quiet machine: the load average is printed.
 */
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { createDataParallelTrainer, hostTensor } from '../engine/learn/data-parallel.ts';
import { buildModel } from '../engine/testing/parallel-model.ts';
import { loadLine, median, printTable } from './stats.ts';

const SIZES = (process.env['PARALLEL_BENCH_SIZES'] ?? '64,128').split(',').map(Number);
const BATCH = 32;
const STEPS = 8;
const MODULE = new URL('../engine/testing/parallel-model.ts', import.meta.url);
await initTensorflow();

async function stepsPerSecond(workers: number, size: number): Promise<number> {
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
  const batch = () => ({ x: hostTensor(x), y: hostTensor(y) });
  try {
    for (let i = 0; i < 2; i++) await trainer.step(batch());
    const started = performance.now();
    for (let i = 0; i < STEPS; i++) await trainer.step(batch());
    return STEPS / ((performance.now() - started) / 1000);
  } finally {
    tf.dispose([x, y]);
    await trainer.close();
    model.dispose();
  }
}

console.log(`\n## Data-parallel training — conv net, batch ${BATCH}, wasm backend per worker\n`);
console.log(loadLine('at the start'));
const rows: Array<Record<string, string | number>> = [];
for (const size of SIZES) {
  const one: number[] = [];
  const two: number[] = [];
  for (let r = 0; r < 3; r++) {
    one.push(await stepsPerSecond(1, size));
    two.push(await stepsPerSecond(2, size));
  }
  rows.push({
    input: `${size}²`,
    '1 worker steps/s': median(one),
    '2 workers steps/s': median(two),
    'speed-up': `${(median(two) / median(one)).toFixed(2)}×`,
  });
}
printTable(rows);
console.log(`\ntarget: 2 workers ≥ 1.6× 1 worker`);
console.log(loadLine('at the end'));
