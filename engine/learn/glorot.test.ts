import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { glorotNormal, glorotUniform } from './initializers.ts';

/** Glorot/Xavier (2010): Var[w] = 2 / (fan_in + fan_out), for the uniform and the (truncated) normal variant. */
async function variance(t: tf.Tensor): Promise<{ mean: number; variance: number }> {
  const values = await t.data();
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let sq = 0;
  for (const v of values) sq += (v - mean) ** 2;
  return { mean, variance: sq / values.length };
}

for (const [name, make] of [
  ['glorotUniform', (seed: number) => glorotUniform(seed)],
  ['glorotNormal', (seed: number) => glorotNormal(seed)],
] as const) {
  test(`${name} variance matches 2 / (fan_in + fan_out) within 5 % on large tensors`, async () => {
    await initTensorflow();
    for (const shape of [
      [600, 400],
      [3, 3, 64, 128],
    ]) {
      const fanIn = shape.length === 2 ? shape[0]! : shape[0]! * shape[1]! * shape[2]!;
      const fanOut = shape.length === 2 ? shape[1]! : shape[0]! * shape[1]! * shape[3]!;
      const weights = make(7).apply(shape);
      const stats = await variance(weights);
      const expected = 2 / (fanIn + fanOut);
      assert.ok(
        Math.abs(stats.variance / expected - 1) < 0.05,
        `${shape}: variance ${stats.variance} vs ${expected}`,
      );
      assert.ok(Math.abs(stats.mean) < 0.01 * Math.sqrt(expected) * 10, `${shape}: mean ${stats.mean}`);
      weights.dispose();
    }
  });
}

test("tfjs's own glorotNormal is 23 % short of the theory (why initializers.ts corrects it)", async () => {
  await initTensorflow();
  const weights = tf.initializers.glorotNormal({ seed: 7 }).apply([600, 400]);
  const ratio = (await variance(weights)).variance / (2 / 1000);
  assert.ok(ratio > 0.74 && ratio < 0.81, `ratio ${ratio}`);
  weights.dispose();
});
