import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { createTinySwapProject } from '../testing/tiny-swap-project.ts';
import { evaluateSwap, identityTransferOf, innerFace } from './evaluate-swap.ts';

before(async () => {
  await initTensorflow();
});

test('innerFace keeps the hull and paints everything else neutral grey', () => {
  const face = createFloatImage(2, 1, 3);
  face.data.set([0.1, 0.2, 0.3, 0.9, 0.8, 0.7]);
  const hull = createFloatImage(2, 1, 1);
  hull.data.set([1, 0]);
  assert.deepEqual(
    [...innerFace(face, hull).data].map((v) => +v.toFixed(3)),
    [0.1, 0.2, 0.3, 0.5, 0.5, 0.5],
  );
});

test('identityTransferOf counts swaps nearer the target and reconstructions nearer the source', () => {
  const source = new Float32Array([1, 0]);
  const target = new Float32Array([0, 1]);
  const swaps = [new Float32Array([0.2, 0.98]), new Float32Array([0.98, 0.2]), new Float32Array([0.6, 0.8])];
  const own = [new Float32Array([1, 0]), new Float32Array([0, 1])];
  const t = identityTransferOf(swaps, own, source, target);
  assert.ok(Math.abs(t.swapsCloserToTarget - 2 / 3) < 1e-9);
  assert.equal(t.reconstructionsCloserToSelf, 0.5);
  assert.ok(Math.abs(t.meanCosineToTarget - (0.98 + 0.2 + 0.8) / 3) < 1e-3);
  assert.ok(Math.abs(t.meanCosineToSource - (0.2 + 0.98 + 0.6) / 3) < 1e-3);
});

test('evaluateSwap measures a project on its held-out faces and leaks no tensors', async () => {
  const dir = join(await mkdtemp(join(tmpdir(), 'unmask-swap-eval-')), 'project');
  await createTinySwapProject(dir);
  const before = tf.memory().numTensors;
  const stages = new Set<string>();
  const result = await evaluateSwap(dir, (p) => stages.add(p.stage));
  assert.equal(tf.memory().numTensors, before, 'the model and the recogniser are disposed');
  assert.deepEqual(result.heldOutFaces, { a: 2, b: 2 }, 'the synthetic sets hold out their last two faces');
  assert.equal(result.steps, 0);
  for (const x of ['a', 'b'] as const) {
    assert.ok(result.reconstructionSsim[x] > -1 && result.reconstructionSsim[x] <= 1);
    for (const t of [result.identityTransfer[x], result.innerFaceIdentityTransfer[x]]) {
      for (const v of [t.swapsCloserToTarget, t.reconstructionsCloserToSelf]) assert.ok(v >= 0 && v <= 1);
      assert.ok(t.meanCosineToTarget >= -1 && t.meanCosineToTarget <= 1);
    }
  }
  assert.equal(result.forensic.real, 4);
  assert.equal(result.forensic.fake, 4);
  assert.ok(result.forensic.auc >= 0 && result.forensic.auc <= 1);
  assert.ok(stages.has('embed') && stages.has('evaluate'));
});
