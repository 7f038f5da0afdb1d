import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../tensorflow.ts';

/** Reference: batch norm written with plain differentiable ops, so autodiff never touches FusedBatchNorm. */
function referenceBatchNorm(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  offset: tf.Tensor,
  scale: tf.Tensor,
  eps: number,
) {
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), scale), offset);
}

function relativeError(
  a: Float32Array | Int32Array | Uint8Array,
  b: Float32Array | Int32Array | Uint8Array,
): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

test('the broadcast FusedBatchNorm gradient equals autodiff of the plain formula', async () => {
  await initTensorflow();
  const x = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 7);
  const mean = tf.randomNormal([6], 0, 0.3, 'float32', 8);
  const variance = tf.randomUniform([6], 0.5, 2, 'float32', 9);
  const offset = tf.randomNormal([6], 0, 1, 'float32', 10);
  const scale = tf.randomNormal([6], 1, 0.2, 'float32', 11);
  const upstream = tf.randomNormal([3, 5, 4, 6], 0, 1, 'float32', 12);
  const before = tf.memory().numTensors;
  const fused = tf.grads((a, m, v, o, s) => tf.batchNorm(a, m, v, o, s, 1e-3).mul(upstream).sum());
  const plain = tf.grads((a, m, v, o, s) => referenceBatchNorm(a, m, v, o, s, 1e-3).mul(upstream).sum());
  const got = fused([x, mean, variance, offset, scale]);
  const want = plain([x, mean, variance, offset, scale]);
  for (let i = 0; i < got.length; i++) {
    const error = relativeError(await got[i]!.data(), await want[i]!.data());
    assert.ok(error < 1e-5, `input ${i}: relative error ${error}`);
  }
  tf.dispose([...got, ...want]);
  assert.equal(tf.memory().numTensors, before, 'no tensors leaked');
  tf.dispose([x, mean, variance, offset, scale, upstream]);
});
