/**
 * Data-parallel training throughput: steps/s with 1 and 2 workers on the same model and global batch, side by
 * side in one run (medians of 3 runs of 8 steps after 2 warm-up steps). Target: 2 workers ≥ 1.6× 1 worker.
 */
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { createDataParallelTrainer } from '../engine/learn/data-parallel.ts';
import { median, printTable } from './stats.ts';

process.env['UNMASK_PARALLEL_INPUT'] ??= '128';
const { INPUT_SIZE } = await import('../engine/testing/parallel-model.ts');
const MODULE = new URL('../engine/testing/parallel-model.ts', import.meta.url);
const BATCH = 32;
const STEPS = 8;
await initTensorflow();

async function stepsPerSecond(workers: number): Promise<number> {
  const trainer = await createDataParallelTrainer(MODULE, workers, tf.train.adam(1e-3));
  const x = tf.randomUniform([BATCH, INPUT_SIZE, INPUT_SIZE, 3], 0, 1, 'float32', 1);
  const y = tf.randomNormal([BATCH, 1], 0, 1, 'float32', 2);
  try {
    for (let i = 0; i < 2; i++) await trainer.step(x, y);
    const started = performance.now();
    for (let i = 0; i < STEPS; i++) await trainer.step(x, y);
    return STEPS / ((performance.now() - started) / 1000);
  } finally {
    tf.dispose([x, y]);
    await trainer.close();
  }
}

console.log(
  `\n## Data-parallel training — conv net ${INPUT_SIZE}², batch ${BATCH}, wasm backend per worker\n`,
);
const one: number[] = [];
const two: number[] = [];
for (let r = 0; r < 3; r++) {
  one.push(await stepsPerSecond(1));
  two.push(await stepsPerSecond(2));
}
printTable([
  { workers: 1, 'steps/s (median)': median(one) },
  { workers: 2, 'steps/s (median)': median(two) },
]);
console.log(`\nspeed-up 2 workers / 1 worker: ${(median(two) / median(one)).toFixed(2)}× (target ≥ 1.6×)`);
