import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { buildModel, INPUT_SIZE, meanLoss } from '../testing/parallel-model.ts';
import { createDataParallelTrainer } from './data-parallel.ts';

const MODULE = new URL('../testing/parallel-model.ts', import.meta.url);

function batch(step: number) {
  const x = tf.randomUniform([12, INPUT_SIZE, INPUT_SIZE, 3], 0, 1, 'float32', 100 + step);
  const y = tf.randomNormal([12, 1], 0, 1, 'float32', 200 + step);
  return { x, y };
}

test('2 workers give the same weights as single-process training on the same global batch (within 1e-4)', async () => {
  await initTensorflow();
  const K = 4;
  // Single process reference.
  const reference = buildModel();
  const referenceOptimizer = tf.train.adam(0.01);
  const referenceVars = reference.trainableWeights.map((w) => w.read() as tf.Variable);
  for (let step = 0; step < K; step++) {
    const { x, y } = batch(step);
    referenceOptimizer.minimize(() => meanLoss(reference, x, y), false, referenceVars);
    tf.dispose([x, y]);
  }
  const parallel = await createDataParallelTrainer(MODULE, 2, tf.train.adam(0.01));
  try {
    for (let step = 0; step < K; step++) {
      const { x, y } = batch(step);
      const loss = await parallel.step(x, y);
      assert.ok(Number.isFinite(loss));
      tf.dispose([x, y]);
    }
    let worst = 0;
    for (let k = 0; k < referenceVars.length; k++) {
      const a = await referenceVars[k]!.data();
      const b = await parallel.model.trainableWeights[k]!.read().data();
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    assert.ok(worst < 1e-4, `largest weight difference ${worst}`);
  } finally {
    await parallel.close();
    reference.dispose();
  }
});

test('data-parallel training is reproducible run to run', async () => {
  await initTensorflow();
  const run = async () => {
    const trainer = await createDataParallelTrainer(MODULE, 2, tf.train.sgd(0.1));
    try {
      for (let step = 0; step < 2; step++) {
        const { x, y } = batch(step);
        await trainer.step(x, y);
        tf.dispose([x, y]);
      }
      return Array.from(await trainer.model.trainableWeights[0]!.read().data());
    } finally {
      await trainer.close();
    }
  };
  assert.deepEqual(await run(), await run());
});
