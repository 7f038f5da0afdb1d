import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { checkGradients } from './gradient-check.ts';

test('autodiff agrees with finite differences for a conv → tanh → sigmoid cross-entropy loss', async () => {
  await initTensorflow();
  const x = tf.randomNormal([2, 6, 6, 2], 0, 1, 'float32', 1);
  const w = tf.randomNormal([3, 3, 2, 3], 0, 0.3, 'float32', 2);
  const labels = tf.tensor2d([[1], [0]]);
  const loss = (input: tf.Tensor, filter: tf.Tensor) =>
    tf.tidy(() => {
      const features = tf.tanh(tf.conv2d(input as tf.Tensor4D, filter as tf.Tensor4D, 2, 'same'));
      const logits = tf.mean(features, [1, 2, 3]).reshape([2, 1]);
      return tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
    });
  const result = checkGradients(loss, [x, w]);
  assert.ok(result.maxRelativeError < 5e-3, `relative errors ${result.relativeErrors.join(', ')}`);
  tf.dispose([x, w, labels]);
});

test('a wrong gradient is caught', async () => {
  await initTensorflow();
  // customGrad with a deliberately doubled gradient.
  const doubledGradient = (a: tf.Tensor, save: (t: tf.Tensor[]) => void) => {
    save([a]);
    return {
      value: tf.sum(tf.square(a)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, tf.mul(saved[0]!, 4)),
    };
  };
  const doubled = tf.customGrad(doubledGradient as unknown as Parameters<typeof tf.customGrad>[0]);
  const x = tf.tensor1d([0.5, -1, 2]);
  const result = checkGradients((a) => doubled(a) as tf.Scalar, [x]);
  assert.ok(result.maxRelativeError > 0.5, `error ${result.maxRelativeError} flags the bug`);
  x.dispose();
});
