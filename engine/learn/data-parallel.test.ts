import assert from 'node:assert/strict';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { buildModel, INPUT_SIZE, meanLoss } from '../testing/parallel-model.ts';
import { setOptimizerLearningRate } from './learning-rate.ts';
import {
  createDataParallelTrainer,
  evenShards,
  hostTensor,
  type HostBatch,
  type ShardPlan,
} from './data-parallel.ts';

const MODULE = new URL('../testing/parallel-model.ts', import.meta.url);

function batch(step: number, size = 12) {
  const x = tf.randomUniform([size, INPUT_SIZE, INPUT_SIZE, 3], 0, 1, 'float32', 100 + step);
  const y = tf.randomNormal([size, 1], 0, 1, 'float32', 200 + step);
  return { x, y };
}

function hostBatch(step: number, size = 12): HostBatch {
  const { x, y } = batch(step, size);
  const host = { x: hostTensor(x), y: hostTensor(y) };
  tf.dispose([x, y]);
  return host;
}

const variablesOf = (model: tf.LayersModel) => model.trainableWeights.map((w) => w.read() as tf.Variable);

/** Two workers training `variables` with SGD (learning rate 0.1), the batch split by `planShards`. */
const twoSgdWorkersWith = (variables: tf.Variable[], planShards?: ShardPlan) =>
  createDataParallelTrainer({
    moduleUrl: MODULE,
    workers: 2,
    variables,
    optimizer: tf.train.sgd(0.1),
    planShards,
  });
const twoSgdWorkers = (variables: tf.Variable[]) => twoSgdWorkersWith(variables);

async function largestDifference(a: tf.Variable[], b: tf.Variable[]): Promise<number> {
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    const p = await a[k]!.data();
    const q = await b[k]!.data();
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i]! - q[i]!));
  }
  return worst;
}

/** K steps in one process and with `workers` workers on the same global batches; the largest weight difference. */
async function compare(
  workers: number,
  makeOptimizer: () => tf.Optimizer,
  K: number,
  learningRates?: readonly number[],
  planShards?: ShardPlan,
): Promise<{ difference: number; optimizerDifference: number; weights: Float32Array }> {
  const setRate = (optimizer: tf.Optimizer, step: number) => {
    if (learningRates) setOptimizerLearningRate(optimizer, learningRates[step]!);
  };
  const reference = buildModel();
  const referenceOptimizer = makeOptimizer();
  const referenceVars = variablesOf(reference);
  for (let step = 0; step < K; step++) {
    const { x, y } = batch(step);
    setRate(referenceOptimizer, step);
    referenceOptimizer.minimize(() => meanLoss(reference, x, y), false, referenceVars);
    tf.dispose([x, y]);
  }
  const owner = buildModel();
  const optimizer = makeOptimizer();
  const variables = variablesOf(owner);
  const parallel = await createDataParallelTrainer({
    moduleUrl: MODULE,
    workers,
    variables,
    optimizer,
    planShards,
  });
  try {
    for (let step = 0; step < K; step++) {
      const { loss } = await parallel.step(hostBatch(step), { learningRate: learningRates?.[step] });
      assert.ok(Number.isFinite(loss));
    }
    await parallel.sync();
    const difference = await largestDifference(referenceVars, variables);
    // The optimizer's state came back too (Adam's moments and its iteration count).
    const a = await referenceOptimizer.getWeights();
    const b = await optimizer.getWeights();
    assert.equal(a.length, b.length);
    let optimizerDifference = 0;
    for (let k = 0; k < a.length; k++) {
      const p = await a[k]!.tensor.data();
      const q = await b[k]!.tensor.data();
      for (let i = 0; i < p.length; i++)
        optimizerDifference = Math.max(optimizerDifference, Math.abs(p[i]! - q[i]!));
    }
    const weights = Float32Array.from(
      (await Promise.all(variables.map((v) => v.data()))).flatMap((d) => Array.from(d)),
    );
    return { difference, optimizerDifference, weights };
  } finally {
    await parallel.close();
    reference.dispose();
    owner.dispose();
  }
}

test('2 workers give the same weights as single-process training on the same global batch (within 1e-4)', async () => {
  await initTensorflow();
  const adam = await compare(2, () => tf.train.adam(0.01), 4);
  assert.ok(adam.difference < 1e-4, `Adam (in the workers): largest weight difference ${adam.difference}`);
  assert.ok(adam.optimizerDifference < 1e-4, `Adam state difference ${adam.optimizerDifference}`);
  // An optimizer the workers do not implement is applied by the owner to the workers' summed gradient.
  const owner = await compare(2, () => tf.train.momentum(0.05, 0.9), 3);
  assert.ok(
    owner.difference < 1e-4,
    `momentum (on the owner): largest weight difference ${owner.difference}`,
  );
});

test('a per-step learning rate (a schedule) gives the same weights as one process with that schedule', async () => {
  await initTensorflow();
  const rates = [0.02, 0.01, 0.002, 0.0005];
  const adam = await compare(2, () => tf.train.adam(0.01), rates.length, rates);
  assert.ok(adam.difference < 1e-4, `Adam (in the workers): largest weight difference ${adam.difference}`);
  const momentum = await compare(2, () => tf.train.momentum(0.05, 0.9), rates.length, rates);
  assert.ok(
    momentum.difference < 1e-4,
    `momentum (on the owner): largest weight difference ${momentum.difference}`,
  );
  // The rates reached the workers: the same run at the optimizer's own rate ends elsewhere.
  const constant = await compare(2, () => tf.train.adam(0.01), rates.length);
  const moved = adam.weights.reduce((worst, w, i) => Math.max(worst, Math.abs(w - constant.weights[i]!)), 0);
  assert.ok(moved > 1e-3, `scheduled and constant-rate runs differ by ${moved}`);
});

test('a shard plan with uneven rows and weights trains what one process trains; a bad plan is refused', async () => {
  await initTensorflow();
  // 12 rows: worker 0 takes 9 (weight 0.75), worker 1 the last 3 (0.25).
  const uneven: ShardPlan = (inputs) =>
    [
      { start: 0, end: 9 },
      { start: 9, end: 12 },
    ].map((range) => ({
      rows: Object.fromEntries(inputs.map(({ name }) => [name, range])),
      weight: (range.end - range.start) / 12,
    }));
  const adam = await compare(2, () => tf.train.adam(0.01), 3, undefined, uneven);
  assert.ok(adam.difference < 1e-4, `uneven plan: largest weight difference ${adam.difference}`);

  const model = buildModel();
  const parallel = await twoSgdWorkersWith(variablesOf(model), (inputs, workers) =>
    evenShards(inputs, workers).map((shard) => ({
      ...shard,
      rows: { ...shard.rows, x: { start: 0, end: 99 } },
    })),
  );
  try {
    await assert.rejects(parallel.step(hostBatch(0)), /rows \[0, 99\) of 'x', which has 12/);
  } finally {
    await parallel.close();
    model.dispose();
  }
});

test('batches that change size (a larger one, then one sample for two workers) still match one process', async () => {
  await initTensorflow();
  // 12 samples, then 20 (the shared input buffer grows), then 1 (the second worker's shard is empty).
  const sizes = [12, 20, 1];
  const reference = buildModel();
  const referenceOptimizer = tf.train.sgd(0.1);
  const referenceVars = variablesOf(reference);
  sizes.forEach((size, step) => {
    const { x, y } = batch(step, size);
    referenceOptimizer.minimize(() => meanLoss(reference, x, y), false, referenceVars);
    tf.dispose([x, y]);
  });
  const owner = buildModel();
  const variables = variablesOf(owner);
  const parallel = await twoSgdWorkers(variables);
  try {
    for (const [step, size] of sizes.entries()) {
      const { loss, timings } = await parallel.step(hostBatch(step, size));
      assert.ok(Number.isFinite(loss), `loss at step ${step}: ${loss}`);
      assert.equal(timings.workers.length, 2);
    }
    await parallel.sync();
    const difference = await largestDifference(referenceVars, variables);
    assert.ok(difference < 1e-4, `largest weight difference ${difference}`);
    // A batch whose values do not fill its shape is refused before any worker sees it.
    const bad: HostBatch = { x: { data: new Float32Array(5), shape: [2, 3] }, y: hostBatch(0, 2)['y']! };
    await assert.rejects(parallel.step(bad), /'x' has 5 values for shape \[2, 3\]/);
  } finally {
    await parallel.close();
    reference.dispose();
    owner.dispose();
  }
});

test('data-parallel training is reproducible run to run', async () => {
  await initTensorflow();
  const run = async () => {
    const model = buildModel();
    const variables = variablesOf(model);
    const trainer = await twoSgdWorkers(variables);
    try {
      for (let step = 0; step < 2; step++) await trainer.step(hostBatch(step));
      await trainer.sync();
      return Array.from(await variables[0]!.data());
    } finally {
      await trainer.close();
      model.dispose();
    }
  };
  assert.deepEqual(await run(), await run());
});

test('a worker that fails reports its error instead of hanging the others', async () => {
  await initTensorflow();
  const model = buildModel();
  const trainer = await twoSgdWorkers(variablesOf(model));
  try {
    // Channels that the first conv cannot take: both shards fail inside the model.
    const bad: HostBatch = {
      x: { data: new Float32Array(4 * INPUT_SIZE * INPUT_SIZE * 2), shape: [4, INPUT_SIZE, INPUT_SIZE, 2] },
      y: { data: new Float32Array(4), shape: [4, 1] },
    };
    await assert.rejects(trainer.step(bad), /data-parallel worker failed/);
    // The failure is not carried into the next step.
    const { loss } = await trainer.step(hostBatch(0));
    assert.ok(Number.isFinite(loss), `loss after a failed step: ${loss}`);
  } finally {
    await trainer.close();
    model.dispose();
  }
});
