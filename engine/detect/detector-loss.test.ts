import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tf } from '../runtime/tensorflow.ts';
import { maskedBoundaryLoss, pairedRankingLoss } from './detector-loss.ts';
import { batchArrays, pairShards } from './train-detector.ts';

const softplus = (v: number) => Math.log1p(Math.exp(v));

test('the paired ranking loss is softplus(z_real − z_fake) averaged over marked pairs only', async () => {
  // Pairs (0.5, 2) and (1, −1); rows 4–5 are unpaired (a known fake and padding).
  const logits = tf.tensor2d([[0.5], [2], [1], [-1], [3], [0]]);
  const pairs = tf.tensor2d([[-1], [1], [-1], [1], [0], [0]]);
  const loss = (await pairedRankingLoss(logits, pairs).data())[0]!;
  assert.ok(Math.abs(loss - (softplus(0.5 - 2) + softplus(1 - -1)) / 2) < 1e-6, `${loss}`);
  const none = (await pairedRankingLoss(tf.tensor2d([[1], [2]]), tf.tensor2d([[0], [0]])).data())[0]!;
  assert.equal(none, 0, 'no pairs, no loss');
  tf.dispose([logits, pairs]);
});

test('the boundary loss ignores cells with an unknown target and equals cross-entropy elsewhere', async () => {
  const logits = tf.tensor1d([0.3, -1.2, 2, 0.7]);
  const known = tf.tensor1d([1, 0, 0.5, 1]);
  const partlyUnknown = tf.tensor1d([1, 0, -1, -1]);
  const full = await maskedBoundaryLoss(known, logits).data();
  const reference = await tf.losses.sigmoidCrossEntropy(known, logits).data();
  assert.ok(Math.abs(full[0]! - reference[0]!) < 1e-6);
  const masked = await maskedBoundaryLoss(partlyUnknown, logits).data();
  const firstTwo = await tf.losses.sigmoidCrossEntropy(tf.tensor1d([1, 0]), tf.tensor1d([0.3, -1.2])).data();
  assert.ok(Math.abs(masked[0]! - firstTwo[0]!) < 1e-6);
});

test('a batch interleaves each real crop with its own fake, then known fakes, padded to whole pairs', () => {
  const size = 2;
  const pixels = size * size * 3;
  const packed = {
    count: 2,
    real: new Float32Array(2 * pixels).fill(0.25),
    fake: new Float32Array(2 * pixels).fill(0.75),
    boundary: Float32Array.from([0.1, -1]),
  };
  const batch = batchArrays(packed, size, 1, new Float32Array(pixels).fill(1));
  assert.deepEqual(batch['x']!.shape, [6, 2, 2, 3]);
  assert.deepEqual(
    Array.from({ length: 6 }, (_, row) => batch['x']!.data[row * pixels]),
    [-0.5, 0.5, -0.5, 0.5, 1, -1],
  );
  assert.deepEqual(Array.from(batch['labels']!.data), [0, 1, 0, 1, 1, 0]);
  assert.deepEqual(Array.from(batch['pairs']!.data), [-1, 1, -1, 1, 0, 0]);
  // Boundary map size 1: the reals' 0, the fakes' own targets, unknown for the known fake and the padding.
  assert.deepEqual(
    Array.from(batch['boundary']!.data),
    [0, 0.1, 0, -1, -1, -1].map((v, i) => (i === 1 ? v : v)).map(Math.fround),
  );
});

test('shards hold whole pairs', () => {
  for (const rows of [32, 30, 36, 6]) {
    const shards = pairShards([{ name: 'x', offset: 0, shape: [rows, 1] }], 2);
    const [a, b] = shards.map((s) => s.rows['x']!);
    assert.equal(a!.start, 0);
    assert.equal(a!.end % 2, 0, `${rows} rows cut at ${a!.end}`);
    assert.equal(b!.start, a!.end);
    assert.equal(b!.end, rows);
    assert.ok(Math.abs(shards[0]!.weight + shards[1]!.weight - 1) < 1e-12);
  }
});
