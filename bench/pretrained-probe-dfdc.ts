/**
 * Frozen `faceres` on real deepfakes (issue 27: "frozen or fine-tuned faceres from @vladmandic/human"):
 * `npm run bench:pretrained-probe-dfdc [dfdc-faces dir] [margin]`. A linear probe on frozen faceres features
 * (bench/faceres-probe.ts) is fitted on DFDC train pairs (each source's real face and its deepfake); the L2 weight
 * is chosen on the val split, and the test split is reported once. Faces are aligned as the v3 detector aligns
 * them (labelled-faces.ts, margin -0.1 by default; cached in PROBE_CACHE or .cache/labelled-faces), resized to
 * faceres's 224².
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedLabelledFaceBanks } from '../engine/detect/cached-face-bank.ts';
import { sourcePairs } from '../engine/detect/batch-sampler.ts';
import { faceCropAt, type FaceBank } from '../engine/detect/face-bank.ts';
import { DEFAULT_LABELLED_FACES } from '../engine/detect/labelled-faces.ts';
import { rocAuc } from '../engine/detect/metrics.ts';
import { DEFAULT_EXTRACT_FACES } from '../engine/faces/extract-faces.ts';
import { initTensorflow } from '../engine/runtime/tensorflow.ts';
import { loadFaceresGraph } from '../engine/swap/face-embedding.ts';
import { createRandom, shuffled } from '../engine/util/random.ts';
import { faceresFeatures, fitProbe, layerColumns, type FeatureSet } from './faceres-probe.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataset = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'data', 'dfdc-faces'));
const margin = Number(process.argv[3] ?? -0.1);
const TRAIN_SOURCES = Number(process.env['PROBE_TRAIN_SOURCES'] ?? 1500);
const CROP = 160;
const L2_GRID = [1e-3, 1e-2, 1e-1];

await initTensorflow();
const started = Date.now();
const { banks } = await cachedLabelledFaceBanks(
  dataset,
  { ...DEFAULT_LABELLED_FACES, extract: { ...DEFAULT_EXTRACT_FACES, margin } },
  resolve(process.env['PROBE_CACHE'] ?? join(ROOT, '.cache', 'labelled-faces')),
  () => undefined,
  new AbortController().signal,
);
const faceres = await loadFaceresGraph();

/** Every real and fake face of `sources` sources of the bank (all when undefined). */
function featureSet(bank: FaceBank, sources?: number): FeatureSet {
  let pairs = sourcePairs(bank, [...bank.entries.keys()]);
  if (sources !== undefined) pairs = shuffled(pairs, createRandom(7)).slice(0, sources);
  const indices = pairs.flatMap((p) => [...p.reals, ...p.fakes]);
  const per = CROP * CROP * 3;
  const pixels = new Float32Array(indices.length * per);
  indices.forEach((index, k) => pixels.set(faceCropAt(bank, index, CROP).data, k * per));
  return {
    f: faceresFeatures(faceres, pixels, indices.length, CROP),
    y: indices.map((i) => (bank.entries[i]!.label === 'fake' ? 1 : 0)),
    group: indices.map((i) => bank.entries[i]!.pair!),
  };
}
const train = featureSet(banks.train!, TRAIN_SOURCES);
const val = featureSet(banks.val!);
const test = featureSet(banks.test!);
faceres.dispose();

const auc = (scores: number[], set: FeatureSet) =>
  rocAuc(scores.map((score, i) => ({ score, label: set.y[i]! })));
console.log(`\n## Frozen faceres + linear probe on DFDC pairs (margin ${margin})\n`);
console.log(
  `train: ${train.y.length} faces of ${TRAIN_SOURCES} sources; val ${val.y.length}; test ${test.y.length}\n`,
);
console.log('| features | L2 (chosen on val) | train AUC | val AUC | test AUC |\n|---|---|---|---|---|');
for (const [name, columns] of layerColumns()) {
  const best = L2_GRID.map((l2) => {
    const score = fitProbe(train, [...columns], l2);
    return { l2, score, val: auc(score(val), val) };
  }).sort((a, b) => b.val - a.val)[0]!;
  const row = [
    name,
    best.l2,
    auc(best.score(train), train).toFixed(3),
    best.val.toFixed(3),
    auc(best.score(test), test).toFixed(3),
  ];
  console.log(`| ${row.join(' | ')} |`);
}
console.log(`\n${((Date.now() - started) / 60_000).toFixed(1)} minutes`);
