/**
 * Forgetting benchmark (`npm run bench:forgetting [data-dir]`). Starts from the shipped detector, which learned
 * task A = self-blended fakes, then learns task B = lower-face blends (a lip-sync-like manipulation: only the
 * mouth and chin region is blended). Reports task-A AUC after B and task-B AUC for plain fine-tuning, MAS and the
 * Hebbian variant, side by side. Target: MAS cuts the task-A drop to ≤ ⅓ of fine-tuning's, task-B AUC within 0.02.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFaceBank } from '../engine/detect/build-face-bank.ts';
import { faceCrop, type FaceBank } from '../engine/detect/face-bank.ts';
import { selfBlend } from '../engine/detect/self-blend.ts';
import { DEFAULT_TRAIN_DETECTOR, splitByGroup, validationPairs } from '../engine/detect/train-detector.ts';
import { detectorMetadataFrom, DEFAULT_DETECTOR_CONFIG } from '../engine/detect/detector.ts';
import { DEFAULT_EXTRACT_FACES } from '../engine/faces/extract-faces.ts';
import { resizeImage } from '../engine/imaging/float-image.ts';
import type { Point } from '../engine/imaging/polygon.ts';
import {
  DEFAULT_CONTINUAL,
  labelledSetFromPairs,
  learnWithMas,
  logitAuc,
  type LabelledSet,
} from '../engine/learn/continual.ts';
import { hebbianImportance } from '../engine/learn/hebbian.ts';
import { disposeImportance, masImportance, type Importance } from '../engine/learn/mas.ts';
import { loadLayersModel } from '../engine/models/layers-model-io.ts';
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { printTable } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.argv[2] ?? join(ROOT, '..', 'shared', 'data');
const VIDEOS = [
  'liveportrait_d3.mp4',
  'liveportrait_d6.mp4',
  'liveportrait_d9.mp4',
  'liveportrait_d14.mp4',
  'ghost_nggyup.mp4',
  'liveportrait_d18.mp4',
];
const STEPS = 150;

await initTensorflow();
const files = VIDEOS.map((v) => join(dataDir, 'video', 'real', v)).filter(existsSync);
if (files.length < 2) {
  console.log(`forgetting benchmark needs real videos under ${dataDir}/video/real; skipped`);
  process.exit(0);
}
const { bank } = await buildFaceBank(files, { ...DEFAULT_EXTRACT_FACES, sampling: { fps: 2 } });
const { model: original, manifest } = await loadLayersModel(DEFAULT_DETECTOR_CONFIG.modelDir);
const metadata = detectorMetadataFrom(manifest);
const size = metadata.architecture.inputSize;
original.dispose();
const split = splitByGroup(bank, 0.35, 2);

/** Task B: the blend mask covers only the lower part of the face hull (mouth and chin). */
function lowerFaceSet(indices: readonly number[], seedBase: number): LabelledSet {
  const real = new Float32Array(indices.length * size * size * 3);
  const fake = new Float32Array(indices.length * size * size * 3);
  indices.forEach((index, k) => {
    let face = faceCrop(bank as FaceBank, index);
    let hull: Point[] = bank.entries[index]!.hull;
    if (face.width !== size) {
      const s = size / face.width;
      face = resizeImage(face, size, size);
      hull = hull.map(([x, y]): Point => [x * s, y * s]);
    }
    const ys = hull.map((p) => p[1]);
    const cut = Math.min(...ys) + 0.55 * (Math.max(...ys) - Math.min(...ys));
    const lower = hull.map(([x, y]): Point => [x, Math.max(y, cut)]);
    const sample = selfBlend({ face, landmarks: lower }, seedBase + k);
    real.set(sample.real.data, k * size * size * 3);
    fake.set(sample.fake.data, k * size * size * 3);
  });
  const n = indices.length;
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

const config = { ...DEFAULT_TRAIN_DETECTOR, architecture: metadata.architecture };
const pairs = validationPairs(bank, split.validation, config)!;
const taskA = labelledSetFromPairs(pairs, size);
const taskBTrain = lowerFaceSet(split.train, 10_000);
const taskBEval = lowerFaceSet(split.validation, 90_000);
const importanceInputs = tf.tidy(() => taskBTrain.x.slice(0, Math.min(64, split.train.length)));

/** Scales Ω to mean 1, so one λ means the same for MAS and Hebbian importances. */
function normalise(importance: Importance): Importance {
  const total = [...importance.values()].reduce((s, t) => s + tf.sum(t).dataSync()[0]!, 0);
  const count = [...importance.values()].reduce((s, t) => s + t.size, 0);
  return new Map([...importance].map(([k, t]) => [k, tf.tidy(() => t.mul(count / Math.max(total, 1e-12)))]));
}

const rows: Array<Record<string, string | number>> = [];
const LAMBDAS = (process.env['FORGETTING_LAMBDAS'] ?? '0.05,0.3,2').split(',').map(Number);
const runs: Array<{ method: 'fine-tuning' | 'MAS' | 'Hebbian'; lambda: number }> = [
  { method: 'fine-tuning', lambda: 0 },
  ...LAMBDAS.flatMap((lambda) => [
    { method: 'MAS' as const, lambda },
    { method: 'Hebbian' as const, lambda },
  ]),
];
for (const { method, lambda } of runs) {
  const { model } = await loadLayersModel(DEFAULT_DETECTOR_CONFIG.modelDir);
  const before = { a: await logitAuc(model, taskA), b: await logitAuc(model, taskBEval) };
  let importance: Importance | tf.Tensor = importanceInputs;
  if (method !== 'fine-tuning') {
    const measured =
      method === 'MAS'
        ? masImportance(model, importanceInputs, 0)
        : hebbianImportance(model, importanceInputs);
    importance = normalise(measured);
    disposeImportance(measured);
  }
  const anchor = await learnWithMas(model, taskBTrain, importance, undefined, {
    ...DEFAULT_CONTINUAL,
    lambda,
    steps: STEPS,
  });
  const after = { a: await logitAuc(model, taskA), b: await logitAuc(model, taskBEval) };
  rows.push({
    method,
    λ: lambda,
    'task A before': before.a,
    'task A after B': after.a,
    'task A drop': before.a - after.a,
    'task B after': after.b,
  });
  disposeImportance(anchor.importance);
  disposeImportance(anchor.anchors);
  model.dispose();
}
console.log(
  `\n## Forgetting — task A self-blends (${pairs.count} pairs), task B lower-face blends, ${STEPS} steps\n`,
);
printTable(rows);
const fineTuning = rows.find((r) => r['method'] === 'fine-tuning')!;
for (const method of ['MAS', 'Hebbian']) {
  for (const row of rows.filter((r) => r['method'] === method)) {
    const ratio = Number(row['task A drop']) / Math.max(Number(fineTuning['task A drop']), 1e-9);
    const gap = Number(fineTuning['task B after']) - Number(row['task B after']);
    console.log(
      `${method} λ=${row['λ']}: drop ratio ${ratio.toFixed(2)} (target ≤ 0.33), task B gap ${gap.toFixed(3)} (target ≤ 0.02)${ratio <= 0.33 && gap <= 0.02 ? '  ✓ both' : ''}`,
    );
  }
}
