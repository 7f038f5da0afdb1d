import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { isUnmaskError } from '../util/errors.ts';
import { loadOptimizerState, saveOptimizerState } from './optimizer-state.ts';

test('optimizer state round-trips, and resuming with another optimiser is a one-line UnmaskError', async () => {
  await initTensorflow();
  const w = tf.variable(tf.tensor1d([1, -2, 3]));
  const step = (optimizer: tf.Optimizer) =>
    tf.tidy(() => {
      optimizer.minimize(() => tf.sum(tf.square(w)), false, [w]);
    });
  const adam = tf.train.adam(0.1);
  step(adam);
  const path = join(await mkdtemp(join(tmpdir(), 'unmask-opt-')), 'optimizer.bin');
  await saveOptimizerState(adam, path);
  const resumed = tf.train.adam(0.1);
  await loadOptimizerState(resumed, path);
  const moments = async (o: tf.Optimizer) =>
    Promise.all((await o.getWeights()).slice(1).map(async ({ tensor }) => Array.from(await tensor.data())));
  assert.deepEqual(await moments(resumed), await moments(adam));
  const sgd = tf.train.sgd(0.1);
  await assert.rejects(loadOptimizerState(sgd, path), (error: unknown) => {
    assert.ok(isUnmaskError(error));
    assert.match(error.message, /written by the Adam optimiser, not SGD/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  for (const o of [adam, resumed, sgd]) o.dispose();
  w.dispose();
});
