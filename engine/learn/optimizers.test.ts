import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { RpropOptimizer } from './rprop.ts';

/** PyTorch 1.13 trajectories (scripts/reference/optimizer_trajectories.py) on loss = mean((tanh(XW + c) − Y)²). */
interface Fixture {
  steps: number;
  problem: { X: number[][]; Y: number[][]; W: number[][]; c: number[] };
  cases: Record<
    string,
    { settings: Record<string, unknown>; trajectory: Array<{ loss: number; W: number[]; c: number[] }> }
  >;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/optimizer-trajectories.json', import.meta.url), 'utf8'),
) as Fixture;

const optimizers: Record<string, () => tf.Optimizer> = {
  sgd: () => tf.train.sgd(0.5),
  momentum: () => tf.train.momentum(0.1, 0.9, false),
  nesterov: () => tf.train.momentum(0.1, 0.9, true),
  rprop: () =>
    new RpropOptimizer({ initialStep: 0.01, etaMinus: 0.5, etaPlus: 1.2, minStep: 1e-6, maxStep: 50 }),
  adam: () => tf.train.adam(0.01, 0.9, 0.999, 1e-8),
};

for (const [name, make] of Object.entries(optimizers)) {
  test(`${name} follows PyTorch's trajectory for ${fixture.steps} steps within 1e-5`, async () => {
    await initTensorflow();
    const { X, Y, W, c } = fixture.problem;
    const x = tf.tensor2d(X);
    const y = tf.tensor2d(Y);
    const w = tf.variable(tf.tensor2d(W));
    const bias = tf.variable(tf.tensor1d(c));
    const optimizer = make();
    const before = tf.memory().numTensors;
    let worst = 0;
    for (const [step, expected] of fixture.cases[name]!.trajectory.entries()) {
      const loss = optimizer.minimize(
        () => tf.mean(tf.square(tf.sub(tf.tanh(tf.add(tf.matMul(x, w), bias)), y))),
        true,
      )!;
      const lossValue = (await loss.data())[0]!;
      loss.dispose();
      assert.ok(
        Math.abs(lossValue - expected.loss) < 1e-5,
        `step ${step}: loss ${lossValue} vs ${expected.loss}`,
      );
      const got = [...(await w.data()), ...(await bias.data())];
      const want = [...expected.W, ...expected.c];
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      assert.ok(worst < 1e-5, `step ${step}: parameters differ by ${worst}`);
    }
    optimizer.dispose();
    assert.ok(tf.memory().numTensors <= before, 'the optimizer keeps no tensors after dispose');
    tf.dispose([x, y, w, bias]);
  });
}

test('Rprop serialises with its settings and round-trips its state', async () => {
  await initTensorflow();
  const rprop = new RpropOptimizer({ initialStep: 0.02 });
  assert.equal(RpropOptimizer.className, 'Rprop');
  const copy = RpropOptimizer.fromConfig(RpropOptimizer, rprop.getConfig()) as RpropOptimizer;
  assert.deepEqual(copy.config, rprop.config);
  const v = tf.variable(tf.tensor1d([1, -2, 3]));
  for (let i = 0; i < 3; i++) rprop.minimize(() => tf.sum(tf.square(v)));
  const state = await rprop.getWeights();
  const restored = new RpropOptimizer({ initialStep: 0.02 });
  await restored.setWeights(state);
  assert.equal(restored.iterations, 3);
  const stepsA = await (await rprop.getWeights())[2]!.tensor.data();
  const stepsB = await (await restored.getWeights())[2]!.tensor.data();
  assert.deepEqual(Array.from(stepsB), Array.from(stepsA));
  assert.throws(() => new RpropOptimizer({ etaPlus: 0.9 }), /η/);
  rprop.dispose();
  restored.dispose();
  v.dispose();
});
