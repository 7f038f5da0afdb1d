import assert from 'node:assert/strict';
import { test } from 'node:test';
import { copyTensorInto, initTensorflow, tf } from './tensorflow.ts';

test('copyTensorInto writes a tensor’s values at an offset, from the wasm heap or through dataSync', async () => {
  await initTensorflow();
  for (const backend of ['wasm', 'cpu']) {
    assert.ok(await tf.setBackend(backend));
    const t = tf.tidy(() => tf.range(0, 10).mul(1.5).reshape([2, 5]));
    const target = new Float32Array(14).fill(-1);
    copyTensorInto(target, 3, t);
    assert.deepEqual(
      [...target],
      [-1, -1, -1, ...Array.from({ length: 10 }, (_, i) => i * 1.5), -1],
      backend,
    );
    assert.throws(() => copyTensorInto(new Float32Array(9), 0, t), RangeError);
    t.dispose();
  }
  await tf.setBackend('wasm');
});
