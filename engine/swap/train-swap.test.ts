import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { decodePng } from '../imaging/png.ts';
import { inputLayout } from '../learn/data-parallel.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { syntheticFaceSet, TINY_SWAP } from '../testing/synthetic-faces.ts';
import { UnmaskError } from '../util/errors.ts';
import { faceFromStack } from './preview.ts';
import type { SwapArchitecture } from './swap-architecture.ts';
import { loadSwapModel } from './swap-model.ts';
import { createSwapProject, loadCheckpoint, readSwapProject, swapWriteError } from './swap-project.ts';
import { flattenSwapBatches, identityShards, trainSwapModel } from './train-swap.ts';

before(async () => {
  await initTensorflow();
});

async function newProject(architecture: SwapArchitecture = TINY_SWAP, cycle = false): Promise<string> {
  const dir = join(await mkdtemp(join(tmpdir(), 'unmask-swap-train-')), 'project');
  await createSwapProject(
    dir,
    {
      consent: { statement: 'synthetic test faces, no person', attestedAt: new Date().toISOString() },
      architecture,
      seed: 3,
      batchSize: 4,
      learningRate: 2e-3,
      cycle,
      inputs: { a: ['a.mp4'], b: ['b.mp4'] },
    },
    { a: syntheticFaceSet('a', 12, architecture.size), b: syntheticFaceSet('b', 12, architecture.size) },
  );
  return dir;
}

test('a project records how its faces were resampled; projects made before that are bilinear', async () => {
  const dir = await newProject();
  const project = await readSwapProject(dir);
  assert.equal(project.resampling, 'area');
  const { resampling: _recorded, ...older } = project;
  await writeFile(join(dir, 'project.json'), JSON.stringify(older));
  assert.equal((await readSwapProject(dir)).resampling, 'bilinear');
});

test('a tiny template model trains: loss goes down, previews and checkpoints are written', async () => {
  const dir = await newProject();
  const before = tf.memory().numTensors;
  const result = await trainSwapModel(dir, { steps: 40, checkpointEvery: 10, previewEvery: 20 });
  assert.equal(tf.memory().numTensors, before, 'training leaves no tensors behind');
  assert.equal(result.steps, 40);
  assert.equal(result.log.length, 4);
  const first = result.log[0]!.loss;
  const last = result.log.at(-1)!.loss;
  assert.ok(last < first * 0.8, `loss should fall: ${first} → ${last}`);
  const grid = decodePng(await readFile(join(dir, 'previews', 'latest.png')));
  assert.equal(grid.width, 6 * 128 + 7 * 2, 'six columns of 128 px tiles');
  assert.ok(existsSync(join(dir, 'previews', 'preview-000020.png')));
  assert.ok(existsSync(join(dir, 'checkpoint', 'state.json')));
});

test('the UNIT variant trains on the same loop, with the cycle loss', async () => {
  const dir = await newProject({ ...TINY_SWAP, kind: 'unit' }, true);
  const before = tf.memory().numTensors;
  const result = await trainSwapModel(dir, { steps: 30, checkpointEvery: 10, previewEvery: 30 });
  assert.equal(tf.memory().numTensors, before);
  assert.ok(result.log.at(-1)!.loss < result.log[0]!.loss, 'UNIT loss falls too');
});

test('checkpoint round-trip and resume: predictions survive a reload; training continues from the step', async () => {
  const dir = await newProject();
  await trainSwapModel(dir, { steps: 10, checkpointEvery: 5, previewEvery: 10 });
  const project = await readSwapProject(dir);
  assert.equal(project.consent.statement, 'synthetic test faces, no person');
  const faces = [0, 1].map((i) => faceFromStack(syntheticFaceSet('a', 12, 64).stacked, 64, i));
  const first = await loadSwapModel(dir);
  const p1 = await first.predict(faces, 'a', 'b');
  first.dispose();
  const second = await loadSwapModel(dir);
  assert.equal(second.steps, 10);
  const p2 = await second.predict(faces, 'a', 'b');
  second.dispose();
  assert.deepEqual(p2[0]!.face.data, p1[0]!.face.data, 'a reloaded checkpoint predicts identically');

  const resumed = await trainSwapModel(dir, { steps: 15, checkpointEvery: 5, previewEvery: 100 });
  assert.equal(resumed.stepsThisRun, 5, 'resuming trains only the missing steps');
  assert.equal(resumed.log.length, 3, 'the log carries on across runs');
});

/** Every trainable weight of the project's checkpoint, in order. */
async function checkpointWeights(dir: string): Promise<Float32Array[]> {
  const { networks } = await loadCheckpoint(dir, await readSwapProject(dir));
  const values = networks.trainableVariables().map((v) => v.dataSync() as Float32Array);
  networks.dispose();
  return values;
}

test('identityShards gives each identity its own workers, weighted by their share of its rows', () => {
  const host = (rows: number) => ({ data: new Float32Array(rows * 2), shape: [rows, 1, 1, 2] });
  const arrays = { input: host(8), target: host(8), mask: host(8), weight: host(8) };
  const { inputs } = inputLayout(flattenSwapBatches({ a: arrays, b: arrays }));
  const two = identityShards(inputs, 2);
  assert.deepEqual(
    two.map((s) => [Object.keys(s.rows).sort().join(','), s.weight]),
    [
      ['a_input,a_mask,a_target,a_weight', 1],
      ['b_input,b_mask,b_target,b_weight', 1],
    ],
  );
  assert.deepEqual(two[0]!.rows['a_input'], { start: 0, end: 8 });
  // Four workers: two per identity, half of its rows each.
  const four = identityShards(inputs, 4);
  assert.deepEqual(
    four.map((s) => [s.rows['a_input'] ?? s.rows['b_input'], s.weight]),
    [
      [{ start: 0, end: 4 }, 0.5],
      [{ start: 4, end: 8 }, 0.5],
      [{ start: 0, end: 4 }, 0.5],
      [{ start: 4, end: 8 }, 0.5],
    ],
  );
  assert.equal(four[2]!.rows['a_input'], undefined);
  // An odd count cannot be split by identity: every input is cut evenly.
  const three = identityShards(inputs, 3);
  assert.deepEqual(three[0]!.rows['a_input'], three[0]!.rows['b_input']);
  assert.deepEqual(
    three.map((s) => s.weight),
    [3 / 8, 3 / 8, 2 / 8],
  );
});

test('2 data-parallel workers train what one thread trains (weights within 1e-4), across a resume', async () => {
  const single = await newProject();
  const one = await trainSwapModel(single, { steps: 6, checkpointEvery: 3, previewEvery: 6, workers: 1 });
  const parallel = await newProject();
  const before = tf.memory().numTensors;
  await trainSwapModel(parallel, { steps: 3, checkpointEvery: 3, previewEvery: 6, workers: 2 });
  // The resumed run starts its workers from the checkpoint's weights and Adam moments.
  const two = await trainSwapModel(parallel, { steps: 6, checkpointEvery: 3, previewEvery: 6, workers: 2 });
  assert.equal(tf.memory().numTensors, before, 'training with workers leaves no tensors behind');
  assert.equal(two.steps, 6);
  assert.equal(two.log.length, 2);
  two.log.forEach((entry, i) => {
    const reference = one.log[i]!;
    assert.equal(entry.step, reference.step);
    for (const key of ['loss', 'lossA', 'lossB'] as const)
      assert.ok(
        Math.abs(entry[key] - reference[key]) < 1e-4,
        `${key} at ${entry.step}: ${entry[key]} vs ${reference[key]}`,
      );
  });
  const a = await checkpointWeights(single);
  const b = await checkpointWeights(parallel);
  let worst = 0;
  a.forEach((values, k) => values.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[k]![i]!)))));
  assert.ok(worst < 1e-4, `largest weight difference ${worst}`);
  assert.ok(existsSync(join(parallel, 'previews', 'preview-000006.png')));
});

test('a stop signal saves a checkpoint that the next run resumes', async () => {
  const dir = await newProject();
  const controller = new AbortController();
  let seen = 0;
  const result = await trainSwapModel(dir, {
    steps: 100,
    checkpointEvery: 50,
    signal: controller.signal,
    onProgress: () => {
      if (++seen === 7) controller.abort();
    },
  });
  assert.equal(result.stoppedBy, 'signal');
  assert.equal(result.steps, 7);
  const model = await loadSwapModel(dir);
  assert.equal(model.steps, 7, 'the interrupted run was checkpointed');
  model.dispose();
});

test('a corrupt checkpoint and a mismatched checkpoint are named, not crashed on', async () => {
  const dir = await newProject();
  await trainSwapModel(dir, { steps: 5, checkpointEvery: 5 });
  const weights = join(dir, 'checkpoint', 'decoder_b', 'weights.bin');
  const bytes = await readFile(weights);
  bytes[7] = bytes[7]! ^ 0xff;
  await writeFile(weights, bytes);
  await assert.rejects(loadSwapModel(dir), (error: unknown) => {
    assert.ok(error instanceof UnmaskError);
    assert.equal(error.code, 'swapCheckpointCorrupt');
    assert.match(error.message, /decoder_b.*corrupt/);
    return true;
  });
  await rm(join(dir, 'checkpoint', 'state.json'));
  await assert.rejects(
    loadSwapModel(dir),
    (e: unknown) => e instanceof UnmaskError && e.code === 'swapNotTrained',
  );

  const other = await newProject();
  await trainSwapModel(other, { steps: 2, checkpointEvery: 2 });
  const projectPath = join(other, 'project.json');
  const project = JSON.parse(await readFile(projectPath, 'utf8'));
  project.architecture.latentDim = 32;
  await writeFile(projectPath, JSON.stringify(project));
  await assert.rejects(
    loadSwapModel(other),
    (e: unknown) => e instanceof UnmaskError && e.code === 'swapProjectMismatch',
  );
});

test('a full disk becomes the swap engine’s own error', () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const wrapped = new UnmaskError('outputNotWritable', 'Cannot write x', { cause: enospc });
  for (const error of [enospc, wrapped]) {
    const mapped = swapWriteError(error, '/p/checkpoint');
    assert.ok(mapped instanceof UnmaskError);
    assert.equal(mapped.code, 'swapDiskFull');
    assert.equal(mapped.exitCode, 45);
  }
  const other = new Error('EACCES');
  assert.equal(swapWriteError(other, 'x'), other);
});
