import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { RpropOptimizer } from './rprop.ts';
import { DEFAULT_TRAIN_LOOP, trainLoop, type MeanLoss } from './train-loop.ts';

/** Linear regression on 10 samples: y = x·[2, −1] + 0.5. */
function problem() {
  const xs = Array.from({ length: 10 }, (_, i) => [Math.sin(i), Math.cos(1.7 * i)]);
  const x = tf.tensor2d(xs);
  const y = tf.tensor2d(xs.map(([a, b]) => [2 * a! - b! + 0.5]));
  const w = tf.variable(tf.zeros([2, 1]));
  const b = tf.variable(tf.zeros([1]));
  const loss: MeanLoss = (xb, yb) => tf.mean(tf.square(tf.sub(tf.add(tf.matMul(xb, w), b), yb))) as tf.Scalar;
  return { x, y, w, b, loss, dispose: () => tf.dispose([x, y, w, b]) };
}

test('online, full-batch and mini-batch make their textbook number of updates', async () => {
  await initTensorflow();
  for (const [mode, expected] of [
    ['online', 3 * 10],
    ['full-batch', 3 * 1],
    ['mini-batch', 3 * 4], // ⌈10 / 3⌉ = 4 per epoch
  ] as const) {
    const p = problem();
    const result = await trainLoop(p.loss, [p.w, p.b], p, tf.train.sgd(0.1), {
      ...DEFAULT_TRAIN_LOOP,
      mode,
      epochs: 3,
      batchSize: 3,
    });
    assert.equal(result.updates, expected, mode);
    assert.ok(result.epochs.at(-1)!.loss < result.epochs[0]!.loss, `${mode} lowers the loss`);
    p.dispose();
  }
});

test('chunked full-batch gradients equal the unchunked ones', async () => {
  await initTensorflow();
  const weights: number[][] = [];
  for (const chunkSize of [10, 3]) {
    const p = problem();
    await trainLoop(p.loss, [p.w, p.b], p, tf.train.sgd(0.2), {
      ...DEFAULT_TRAIN_LOOP,
      mode: 'full-batch',
      epochs: 5,
      chunkSize,
    });
    weights.push([...(await p.w.data()), ...(await p.b.data())]);
    p.dispose();
  }
  for (let i = 0; i < weights[0]!.length; i++) assert.ok(Math.abs(weights[0]![i]! - weights[1]![i]!) < 1e-6);
});

test('mini-batch training is deterministic for a seed and differs across seeds', async () => {
  await initTensorflow();
  const run = async (seed: number) => {
    const p = problem();
    await trainLoop(p.loss, [p.w, p.b], p, tf.train.sgd(0.1), {
      ...DEFAULT_TRAIN_LOOP,
      epochs: 2,
      batchSize: 3,
      seed,
    });
    const out = [...(await p.w.data())];
    p.dispose();
    return out;
  };
  assert.deepEqual(await run(4), await run(4));
  assert.notDeepEqual(await run(4), await run(5));
});

test('RPROP warns outside full-batch mode; early stopping stops a stalled run', async () => {
  await initTensorflow();
  const p = problem();
  const warnings: string[] = [];
  await trainLoop(
    p.loss,
    [p.w, p.b],
    p,
    new RpropOptimizer(),
    { ...DEFAULT_TRAIN_LOOP, epochs: 1, batchSize: 5 },
    { onWarning: (m) => warnings.push(m) },
  );
  assert.match(warnings[0] ?? '', /full-batch method/);
  const stalled = await trainLoop(p.loss, [p.w, p.b], p, tf.train.sgd(0), {
    ...DEFAULT_TRAIN_LOOP,
    epochs: 50,
    earlyStopping: { patience: 3, minDelta: 1e-6 },
  });
  assert.equal(stalled.stoppedEarly, true);
  assert.equal(stalled.epochs.length, 4, 'first epoch sets the best, three without improvement stop it');
  p.dispose();
});
