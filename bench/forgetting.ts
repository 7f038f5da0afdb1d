/**
 * Forgetting benchmark (`npm run bench:forgetting [data-dir]`). Starts from the shipped detector, which learned
 * task A = self-blended fakes, then learns task B = lower-face blends (a lip-sync-like manipulation: only the
 * mouth and chin region is blended). Compares plain fine-tuning, MAS and the Hebbian variant.
 *
 * Protocol (so that nothing is tuned on the numbers reported):
 *   - Faces come from every real clip and photo; each source file is one group. Task B trains on the groups the
 *     detector was trained on (its manifest lists them). The groups the detector never saw are split, clips and
 *     photos alike, into a validation half and a test half; task A and task B are both measured on them.
 *   - Every method trains until task-B validation AUC stops improving (early stopping, best weights kept), so
 *     the comparison is at convergence, not at an equal step count.
 *   - λ (and, with several penalised learning rates, the rate) is chosen on validation only: the setting with
 *     the smallest task-A drop whose task-B validation AUC is within 0.02 of fine-tuning's (or, if none is, the
 *     one closest to it). The verdict uses the test split.
 *   - Several training seeds; medians, with the spread, and the AUC standard error of the test set's size.
 * Target (issue 5): MAS cuts the task-A drop to ≤ ⅓ of fine-tuning's, with task-B AUC within 0.02 of it.
 * The recipe (Ω on task-A inputs scaled to mean 1, Adam, batches of 16, early stopping) is `unmask learn`'s:
 * both call engine/detect/learn-manipulation.ts and engine/learn/continual.ts, so λ means the same in both.
 *
 * Environment (defaults in brackets): FORGETTING_SEEDS [2], FORGETTING_FIRST_SEED [1] (seeds FIRST_SEED…SEEDS
 * run, so FIRST_SEED=3 SEEDS=3 adds a third seed to an earlier two-seed run; each run prints its own line),
 * FORGETTING_MAS_LAMBDAS [0.1,0.3,1], FORGETTING_HEBBIAN_LAMBDAS [0.1], FORGETTING_MAX_STEPS [800, the recipe's cap],
 * FORGETTING_FPS [3], FORGETTING_LR [1e-3, Adam], FORGETTING_PENALISED_LRS [FORGETTING_LR; a list such as
 * 0.001,0.002 runs every MAS and Hebbian λ at each learning rate, and the rule below chooses λ and rate together;
 * the penalty slows learning, so the penalised runs may need a larger rate than fine-tuning],
 * FORGETTING_OMEGA_BATCH [1 = per-sample Ω as in the paper; >1 = per-batch as in the authors' code; a list such
 * as 1,16 runs every MAS λ with each Ω, against one fine-tuning run per seed],
 * FORGETTING_OMEGA_OUTPUTS [all = F is every output of the detector, the logit and the blend-boundary map
 * together, so the trunk stages feeding the map are protected too (the recipe); logit = the logit alone, as
 * before session 10, its MAS rows labelled "logit Ω" (its λ scale is about 30× smaller: 0.03 was its choice)],
 * FORGETTING_OMEGA_FACES [64 task-A faces, each with its self-blend], FORGETTING_PATIENCE [4 evaluations, 25 steps
 * apart; it applies to every method alike], FORGETTING_NEW_HEAD [0; 1 adds "fine-tuning, new head" and
 * "MAS, new head": task B gets its own logit head on the shared trunk, initialised as a copy of task A's, and the
 * detector scores max(logit A, logit B) — the multi-head setting MAS was published in; plain fine-tuning stays
 * the target's baseline, and the new-head fine-tuning is printed beside it].
 */
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedFaceBank } from '../engine/detect/cached-face-bank.ts';
import { detectorMetadataFrom, DEFAULT_DETECTOR_CONFIG } from '../engine/detect/detector.ts';
import { faceWithHullAt, type FaceBank } from '../engine/detect/face-bank.ts';
import { blendItems, oldTaskInputs, selfBlendSet } from '../engine/detect/learn-manipulation.ts';
import { LOGIT_OUTPUT } from '../engine/detect/detector-network.ts';
import { aucStandardError, rocAuc } from '../engine/detect/metrics.ts';
import { selfBlend } from '../engine/detect/self-blend.ts';
import type { Point } from '../engine/imaging/polygon.ts';
import {
  DEFAULT_CONTINUAL,
  learnWithMas,
  logitAuc,
  measureHebbianImportance,
  measureImportance,
  IMPORTANCE_OUTPUTS,
  type ImportanceOutputs,
  type LabelledSet,
} from '../engine/learn/continual.ts';
import { disposeImportance, importanceForModel, type Importance } from '../engine/learn/mas.ts';
import { loadLayersModel } from '../engine/models/layers-model-io.ts';
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { createRandom, shuffled } from '../engine/util/random.ts';
import { median, printTable } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'data'));
const env = (name: string, fallback: string) => process.env[`FORGETTING_${name}`] ?? fallback;
const list = (name: string, fallback: string) => env(name, fallback).split(',').filter(Boolean).map(Number);
const SEEDS = Number(env('SEEDS', '2'));
const FIRST_SEED = Number(env('FIRST_SEED', '1'));
if (!(Number.isInteger(FIRST_SEED) && FIRST_SEED >= 1 && FIRST_SEED <= SEEDS)) {
  throw new RangeError(`FORGETTING_FIRST_SEED must be a whole number from 1 to FORGETTING_SEEDS (${SEEDS})`);
}
const MAS_LAMBDAS = list('MAS_LAMBDAS', '0.1,0.3,1');
const HEBBIAN_LAMBDAS = list('HEBBIAN_LAMBDAS', '0.1');
const MAX_STEPS = Number(env('MAX_STEPS', String(DEFAULT_CONTINUAL.steps)));
const FPS = Number(env('FPS', '3'));
const LEARNING_RATE = Number(env('LR', String(DEFAULT_CONTINUAL.learningRate)));
const PENALISED_LEARNING_RATES = list('PENALISED_LRS', String(LEARNING_RATE));
if (!PENALISED_LEARNING_RATES.every((rate) => rate > 0 && Number.isFinite(rate)))
  throw new RangeError(
    `FORGETTING_PENALISED_LRS must be positive numbers, got ${PENALISED_LEARNING_RATES.join(',')}`,
  );
const OMEGA_BATCHES = list('OMEGA_BATCH', '1');
const OMEGA_OUTPUTS = env('OMEGA_OUTPUTS', DEFAULT_CONTINUAL.importanceOutputs) as ImportanceOutputs;
if (!IMPORTANCE_OUTPUTS.includes(OMEGA_OUTPUTS))
  throw new RangeError(
    `FORGETTING_OMEGA_OUTPUTS must be one of ${IMPORTANCE_OUTPUTS.join(', ')}, got ${OMEGA_OUTPUTS}`,
  );
const PATIENCE = Number(env('PATIENCE', String(DEFAULT_CONTINUAL.patience)));
const NEW_HEAD = env('NEW_HEAD', '0') === '1';
const NEW_HEAD_SUFFIX = ', new head';
/** Blends per face: more on the test split, where only evaluation pays for them. */
const VALIDATION_BLENDS = 2;
const TEST_BLENDS = 4;
const IMPORTANCE_FACES = Number(env('OMEGA_FACES', String(DEFAULT_CONTINUAL.importanceFaces)));
for (const [name, values] of [
  ['OMEGA_BATCH', OMEGA_BATCHES],
  ['OMEGA_FACES', [IMPORTANCE_FACES]],
  ['PATIENCE', [PATIENCE]],
] as const) {
  if (values.length === 0 || !values.every((v) => Number.isInteger(v) && v >= 1))
    throw new RangeError(`FORGETTING_${name} must be whole numbers ≥ 1, got ${values.join(',')}`);
}
const TARGET_RATIO = 1 / 3;
const TARGET_GAP = 0.02;

await initTensorflow();
const started = Date.now();
const videoDir = join(dataDir, 'video', 'real');
let videos: string[];
try {
  videos = readdirSync(videoDir)
    .filter((f) => f.endsWith('.mp4'))
    .map((f) => join(videoDir, f));
} catch {
  console.log(`forgetting benchmark needs real videos under ${videoDir}; skipped`);
  process.exit(0);
}
const { model: original, manifest } = await loadLayersModel(DEFAULT_DETECTOR_CONFIG.modelDir);
const metadata = detectorMetadataFrom(manifest);
// One root per clip and the photo folder, as the detector was trained: groups then match its manifest, and
// faces are cropped the way its training faces were.
const bank = await cachedFaceBank(
  `faces-${FPS}fps`,
  [...videos, join(dataDir, 'images', 'real')],
  FPS,
  join(ROOT, '.cache', 'forgetting'),
  () => undefined,
  new AbortController().signal,
  metadata.crop.resampling,
);
const size = metadata.architecture.inputSize;
const trainedOn = new Set(
  ((manifest.metadata['training'] as { trainGroups?: string[] }).trainGroups ?? []).map((g) => basename(g)),
);
original.dispose();

// Groups: those task A trained on → task-B training; the unseen ones → validation and test, clips and photos apart.
const groups = [...new Set(bank.entries.map((e) => e.group))].sort();
const unseen = groups.filter((g) => !trainedOn.has(basename(g)));
const splitRandom = createRandom(0x5f1e);
const validationGroups = new Set<string>();
for (const isClip of [true, false]) {
  const kind = shuffled(
    unseen.filter((g) => g.endsWith('.mp4') === isClip),
    splitRandom,
  );
  kind.slice(0, Math.round(kind.length * 0.4)).forEach((g) => validationGroups.add(g));
}
const facesOf = (keep: (group: string) => boolean) =>
  bank.entries.flatMap((e, i) => (keep(e.group) ? [i] : []));
const trainFaces = facesOf((g) => trainedOn.has(basename(g)));
const validationFaces = facesOf((g) => validationGroups.has(g));
const testFaces = facesOf((g) => !trainedOn.has(basename(g)) && !validationGroups.has(g));

/** Task B: the blend mask covers only the lower part of the face hull (mouth and chin). */
function lowerFaceSet(faces: readonly number[], blends: number, seedBase: number): LabelledSet {
  const chosen = blendItems(faces, blends, seedBase);
  const pixels = size * size * 3;
  const real = new Float32Array(chosen.length * pixels);
  const fake = new Float32Array(chosen.length * pixels);
  chosen.forEach(({ index, seed }, k) => {
    const { face, hull } = faceWithHullAt(bank as FaceBank, index, size);
    const ys = hull.map((p) => p[1]);
    const cut = Math.min(...ys) + 0.55 * (Math.max(...ys) - Math.min(...ys));
    const lower = hull.map(([x, y]): Point => [x, Math.max(y, cut)]);
    const sample = selfBlend({ face, landmarks: lower }, seed);
    real.set(sample.real.data, k * pixels);
    fake.set(sample.fake.data, k * pixels);
  });
  const n = chosen.length;
  return {
    x: tf.tidy(() =>
      tf
        .concat([tf.tensor4d(real, [n, size, size, 3]), tf.tensor4d(fake, [n, size, size, 3])])
        .mul(2)
        .sub(1),
    ),
    y: [...new Array<number>(n).fill(0), ...new Array<number>(n).fill(1)],
  };
}

const sets = {
  aValidation: selfBlendSet(bank, validationFaces, VALIDATION_BLENDS, 1_000, metadata.architecture),
  aTest: selfBlendSet(bank, testFaces, TEST_BLENDS, 2_000_000, metadata.architecture),
  bTrain: lowerFaceSet(trainFaces, VALIDATION_BLENDS, 10_000),
  bValidation: lowerFaceSet(validationFaces, VALIDATION_BLENDS, 3_000_000),
  bTest: lowerFaceSet(testFaces, TEST_BLENDS, 4_000_000),
};
// Ω is measured on the old task's training inputs, unlabelled: real faces and their self-blends (as `unmask learn`).
const importanceInputs = oldTaskInputs(bank, trainFaces, metadata.architecture, IMPORTANCE_FACES);
console.log(
  `faces at ${FPS} fps: ${trainFaces.length} task-B training, ${validationFaces.length} validation ` +
    `(${validationGroups.size} sources), ${testFaces.length} test (${unseen.length - validationGroups.size} sources); ` +
    `${VALIDATION_BLENDS} blends per face (${TEST_BLENDS} in test); Ω from ${importanceInputs.shape[0]} task-A inputs`,
);

/** 'MAS' is per-sample Ω (the paper); 'MAS Ω/16' is Ω per mini-batch of 16 (the authors' code). */
const masLabel = (batch: number) =>
  (batch === 1 ? 'MAS' : `MAS Ω/${batch}`) + (OMEGA_OUTPUTS === 'logit' ? ' logit Ω' : '');
interface Run {
  method: string;
  lambda: number;
  learningRate: number;
  seed: number;
  steps: number;
  bestStep: number;
  aValidation: number;
  bValidation: number;
  aTest: number;
  bTest: number;
}

const { model: reference } = await loadLayersModel(DEFAULT_DETECTOR_CONFIG.modelDir);
const before = {
  aValidation: await logitAuc(reference, sets.aValidation),
  aTest: await logitAuc(reference, sets.aTest),
  bValidation: await logitAuc(reference, sets.bValidation),
  bTest: await logitAuc(reference, sets.bTest),
};
const importances = new Map<string, Importance>([
  ...OMEGA_BATCHES.map((batchSize): [string, Importance] => [
    masLabel(batchSize),
    measureImportance(reference, importanceInputs, batchSize, OMEGA_OUTPUTS),
  ]),
]);
if (HEBBIAN_LAMBDAS.length > 0)
  importances.set('Hebbian', measureHebbianImportance(reference, importanceInputs));
reference.dispose();

interface Configuration {
  method: string;
  lambda: number;
  learningRate: number;
}
const penalised = (method: string, lambdas: readonly number[]): Configuration[] =>
  lambdas.flatMap((lambda) =>
    PENALISED_LEARNING_RATES.map((learningRate) => ({ method, lambda, learningRate })),
  );
const plan: Configuration[] = [
  { method: 'fine-tuning', lambda: 0, learningRate: LEARNING_RATE },
  ...OMEGA_BATCHES.flatMap((batch) => penalised(masLabel(batch), MAS_LAMBDAS)),
  ...penalised('Hebbian', HEBBIAN_LAMBDAS),
  ...(NEW_HEAD
    ? [
        { method: `fine-tuning${NEW_HEAD_SUFFIX}`, lambda: 0, learningRate: LEARNING_RATE },
        ...penalised(`MAS${NEW_HEAD_SUFFIX}`, MAS_LAMBDAS),
      ]
    : []),
];

/**
 * Task B's own logit head on the shared trunk (after the pooling and dropout), a copy of task A's head to start.
 * `taskModel` outputs logit B alone (what task B trains); `combined` outputs [logit A, logit B].
 */
function withTaskHead(model: tf.LayersModel) {
  const headA = model.getLayer(LOGIT_OUTPUT);
  const head = tf.layers.dense({ units: 1, name: 'manipulation_logit_b' });
  const logitB = head.apply(model.getLayer('dropout').output) as tf.SymbolicTensor;
  head.setWeights(headA.getWeights());
  return {
    head,
    taskModel: tf.model({ inputs: model.inputs, outputs: logitB }),
    combined: tf.model({ inputs: model.inputs, outputs: [headA.output as tf.SymbolicTensor, logitB] }),
  };
}

/** AUC of max(logit A, logit B): the detector flags a face when either manipulation's head does. */
async function maxLogitAuc(combined: tf.LayersModel, set: LabelledSet, batch = 32): Promise<number> {
  const scores: number[] = [];
  for (let start = 0; start < set.y.length; start += batch) {
    const end = Math.min(set.y.length, start + batch);
    const best = tf.tidy(() => {
      const [a, b] = combined.predict(set.x.slice(start, end - start)) as tf.Tensor[];
      return tf.maximum(a!, b!).reshape([-1]);
    });
    scores.push(...(await best.data()));
    best.dispose();
  }
  return rocAuc(scores.map((score, i) => ({ score, label: set.y[i] as 0 | 1 })));
}
const sameConfiguration = (a: Configuration, b: Configuration) =>
  a.method === b.method && a.lambda === b.lambda && a.learningRate === b.learningRate;
const runs: Run[] = [];
for (let seed = FIRST_SEED; seed <= SEEDS; seed++) {
  for (const { method, lambda, learningRate } of plan) {
    const { model } = await loadLayersModel(DEFAULT_DETECTOR_CONFIG.modelDir);
    // Fine-tuning (λ = 0) ignores Ω; learnWithMas still wants one.
    const importance = importanceForModel(
      importances.get(method.replace(NEW_HEAD_SUFFIX, '')) ?? importances.get(masLabel(OMEGA_BATCHES[0]!))!,
      model,
    );
    const heads = method.endsWith(NEW_HEAD_SUFFIX) ? withTaskHead(model) : undefined;
    // The new head had no part in task A: Ω = 0 leaves it free.
    const newHeadOmega = new Map(
      heads?.head.trainableWeights.map((w) => [w.name, tf.zerosLike(w.read())]) ?? [],
    );
    const trained = heads?.taskModel ?? model;
    const auc = (set: LabelledSet) => (heads ? maxLogitAuc(heads.combined, set) : logitAuc(model, set));
    const result = await learnWithMas(
      trained,
      sets.bTrain,
      heads
        ? new Map(
            trained.trainableWeights.map((w) => [
              w.name,
              importance.get(w.name) ?? newHeadOmega.get(w.name)!,
            ]),
          )
        : importance,
      undefined,
      {
        ...DEFAULT_CONTINUAL,
        lambda,
        steps: MAX_STEPS,
        seed,
        learningRate,
        patience: PATIENCE,
      },
      { validation: sets.bValidation },
    );
    const run: Run = {
      method,
      lambda,
      learningRate,
      seed,
      steps: result.steps,
      bestStep: result.bestStep,
      aValidation: await auc(sets.aValidation),
      bValidation: heads
        ? await auc(sets.bValidation)
        : result.history.find((h) => h.step === result.bestStep)!.validationAuc,
      aTest: await auc(sets.aTest),
      bTest: await auc(sets.bTest),
    };
    runs.push(run);
    console.log(
      `seed ${seed} ${method} λ=${lambda} lr=${learningRate}: best step ${run.bestStep}/${run.steps}, ` +
        `A val ${run.aValidation.toFixed(3)} test ${run.aTest.toFixed(3)}, ` +
        `B val ${run.bValidation.toFixed(3)} test ${run.bTest.toFixed(3)} ` +
        `(${((Date.now() - started) / 60_000).toFixed(1)} min)`,
    );
    disposeImportance(result.anchors);
    // result.importance is `importance` (no earlier task to accumulate), whose tensors the next run reuses.
    disposeImportance(newHeadOmega);
    heads?.head.dispose();
    model.dispose();
  }
}

/** Median and range over seeds of one quantity of one configuration. */
function summary(configuration: Configuration, value: (r: Run) => number) {
  const values = runs.filter((r) => sameConfiguration(r, configuration)).map(value);
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}
const dropValidation = (r: Run) => before.aValidation - r.aValidation;
const dropTest = (r: Run) => before.aTest - r.aTest;
const fineTuningConfiguration = plan[0]!;
const fineTuning = {
  dropValidation: summary(fineTuningConfiguration, dropValidation).median,
  bValidation: summary(fineTuningConfiguration, (r) => r.bValidation).median,
  dropTest: summary(fineTuningConfiguration, dropTest).median,
  bTest: summary(fineTuningConfiguration, (r) => r.bTest).median,
};
const spread = (s: { median: number; min: number; max: number }) =>
  `${s.median.toFixed(3)} (${s.min.toFixed(3)}…${s.max.toFixed(3)})`;
const rows = plan.map((configuration) => ({
  method: configuration.method,
  λ: configuration.lambda,
  lr: String(configuration.learningRate),
  'best step': summary(configuration, (r) => r.bestStep).median,
  'A drop (val)': spread(summary(configuration, dropValidation)),
  'B AUC (val)': spread(summary(configuration, (r) => r.bValidation)),
  'A drop (test)': spread(summary(configuration, dropTest)),
  'B AUC (test)': spread(summary(configuration, (r) => r.bTest)),
}));
const minutes = (Date.now() - started) / 60_000;
console.log(
  `\n## Forgetting — task A self-blends, task B lower-face blends; seeds ${FIRST_SEED}–${SEEDS}, medians (min…max); ` +
    `early stopping on task-B validation (patience ${PATIENCE}), ≤ ${MAX_STEPS} steps; ${minutes.toFixed(1)} min\n`,
);
console.log(
  `Before task B: task A AUC val ${before.aValidation.toFixed(3)}, test ${before.aTest.toFixed(3)}; ` +
    `task B AUC val ${before.bValidation.toFixed(3)}, test ${before.bTest.toFixed(3)}.`,
);
const testPositives = sets.aTest.y.filter((y) => y === 1).length;
console.log(
  `Test sets: ${testPositives} fakes + ${testPositives} reals per task; the AUC standard error at that size ` +
    `is ±${aucStandardError(fineTuning.bTest, testPositives, testPositives).toFixed(3)} (Hanley–McNeil, ` +
    'independent samples; faces of one clip are not, so the true error is larger). Drops and gaps compare ' +
    'models on the same faces, so they are less noisy than that.\n',
);
printTable(rows);
console.log('');
for (const method of [...OMEGA_BATCHES.map(masLabel), 'Hebbian', `MAS${NEW_HEAD_SUFFIX}`]) {
  const candidates = plan.filter((p) => p.method === method);
  if (candidates.length === 0) continue;
  const scored = candidates.map((configuration) => ({
    configuration,
    gap: fineTuning.bValidation - summary(configuration, (r) => r.bValidation).median,
    drop: summary(configuration, dropValidation).median,
  }));
  const eligible = scored.filter((s) => s.gap <= TARGET_GAP).sort((a, b) => a.drop - b.drop);
  const chosen = (eligible[0] ?? scored.sort((a, b) => a.gap - b.gap)[0]!).configuration;
  const ratio = summary(chosen, dropTest).median / Math.max(fineTuning.dropTest, 1e-9);
  const gap = fineTuning.bTest - summary(chosen, (r) => r.bTest).median;
  const met = ratio <= TARGET_RATIO && gap <= TARGET_GAP;
  console.log(
    `${method}: λ = ${chosen.lambda}, lr = ${chosen.learningRate} chosen on validation. Test: task-A drop ${ratio.toFixed(2)}× fine-tuning's ` +
      `(target ≤ ${TARGET_RATIO.toFixed(2)}) ${ratio <= TARGET_RATIO ? '✓' : '✗'}, task-B AUC ${gap.toFixed(3)} ` +
      `below fine-tuning's (target ≤ ${TARGET_GAP}) ${gap <= TARGET_GAP ? '✓' : '✗'} → target ${met ? 'MET' : 'NOT met'}`,
  );
  if (method.endsWith(NEW_HEAD_SUFFIX)) {
    const headFineTuning = plan.find((p) => p.method === `fine-tuning${NEW_HEAD_SUFFIX}`)!;
    const headRatio =
      summary(chosen, dropTest).median / Math.max(summary(headFineTuning, dropTest).median, 1e-9);
    const headGap = summary(headFineTuning, (r) => r.bTest).median - summary(chosen, (r) => r.bTest).median;
    console.log(
      `  against fine-tuning with a new head too: task-A drop ${headRatio.toFixed(2)}×, task-B AUC ${headGap.toFixed(3)} below`,
    );
  }
}
tf.dispose([...Object.values(sets).map((s) => s.x), importanceInputs]);
for (const importance of importances.values()) disposeImportance(importance);
