import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadLayersModel } from '../models/layers-model-io.ts';
import { resourcesDir } from '../runtime/paths.ts';
import { tf } from '../runtime/tensorflow.ts';
import { sha256Bytes } from '../util/files.ts';
import type { CheckpointState } from './train-detector.ts';

/** Training checkpoints kept in the repository so that a later session resumes a long run (not packaged). */
const root = join(resourcesDir(), 'checkpoints');
const checkpoints = existsSync(root)
  ? readdirSync(root, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
  : [];

for (const name of checkpoints) {
  test(`resources/checkpoints/${name}: files match SHA256SUMS and the checkpoint loads as train-detector resumes it`, async () => {
    const dir = join(root, name);
    const sums = readFileSync(join(dir, 'SHA256SUMS'), 'utf8').trim().split('\n');
    assert.ok(
      sums.some((line) => line.endsWith('model/weights.bin')),
      'SHA256SUMS lists the weights',
    );
    for (const line of sums) {
      const [sha256, file] = line.split(/\s+/);
      assert.equal(sha256Bytes(readFileSync(join(dir, file!))), sha256, `${file} sha256`);
    }
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as CheckpointState;
    assert.ok(state.step > 0 && state.log.at(-1)?.step === state.step, 'state.json: step and log agree');
    const before = tf.memory().numTensors;
    const { model } = await loadLayersModel(join(dir, 'model'));
    const [input] = model.inputs;
    assert.deepEqual(input!.shape.slice(1), [
      state.config.architecture.inputSize,
      state.config.architecture.inputSize,
      3,
    ]);
    model.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
}
