/**
 * Do pretrained face features that ship inside an npm package help the detector? (`npm run bench:pretrained-probe
 * [data-dir]`, issue 3: "may be used as a backbone if they measurably help".)
 *
 * Zero-shot first: Human's antispoof and liveness models as they are. Then a linear probe on frozen features of
 * `faceres` (@vladmandic/human's MobileNet v1 face-description model, 224²): per chosen layer, the spatial mean and standard deviation of every channel. L2 logistic regression is fitted on
 * the shipped detector's training sources (real faces against one self-blend each); the L2 weight is chosen on
 * the unseen sources' self-blends (validation). Printed beside it, on the same faces: the shipped detector, as it
 * is and with test-time flip averaging (the mean of its logits on a crop and on the crop's mirror image).
 * Then, for looking only (too small to tune on), the dev set and the held-out real clips, frame and video AUC
 * (video score = mean frame probability). Faces come from face banks (the training filter: blurry faces are
 * dropped), so a clip can have fewer faces here than in a scan.
 */
import { readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedFaceBank } from '../engine/detect/cached-face-bank.ts';
import { detectorMetadataFrom, DEFAULT_DETECTOR_CONFIG } from '../engine/detect/detector.ts';
import { faceCropAt } from '../engine/detect/face-bank.ts';
import { blendItems, faceCropsTensor, selfBlendSet } from '../engine/detect/learn-manipulation.ts';
import { rocAuc } from '../engine/detect/metrics.ts';
import { packPairs } from '../engine/detect/pair-producer.ts';
import { setLogits, type LabelledSet } from '../engine/learn/continual.ts';
import { loadLayersModel } from '../engine/models/layers-model-io.ts';
import { initTensorflow, tf } from '../engine/runtime/tensorflow.ts';
import { FACERES_DIM, faceresFeatures, fitProbe, layerColumns, type FeatureSet } from './faceres-probe.ts';
import { HUMAN_MODELS_DIR, loadFaceresGraph, loadGraphModelFile } from '../engine/swap/face-embedding.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = resolve(process.argv[2] ?? join(ROOT, '..', 'shared', 'data'));
const CACHE = join(ROOT, '.cache', 'pretrained-probe');
const CROP = 160;
const L2_GRID = [1e-3, 1e-2, 1e-1];
/** The model card's look-only set: the dev videos and the real clips the detector never trained on. */
const LOOK_ONLY: Array<[string, 0 | 1]> = [
  ['video/dev/dfdc_lynaeydofd.mp4', 0],
  ['video/dev/roop_target_real.mp4', 0],
  ['video/real/liveportrait_d18.mp4', 0],
  ['video/real/liveportrait_d19.mp4', 0],
  ['video/real/liveportrait_d20.mp4', 0],
  ['video/real/face_recognition_short_hamilton_clip.mp4', 0],
  ['video/real/facenet_pytorch_multiface_walk.mp4', 0],
  ['video/dev/dfdc_abofeumbvv.mp4', 1],
  ['video/dev/dfdc_abqwwspghj.mp4', 1],
  ['video/dev/dfdc_brtujopkby.mp4', 1],
  ['video/dev/dfdc_widuwuoiur.mp4', 1],
  ['video/dev/dfdc_yhffcuhhjy.mp4', 1],
  ['video/dev/roop_snapshot_swap.mp4', 1],
];

await initTensorflow();
const started = Date.now();
const signal = new AbortController().signal;
const quiet = () => undefined;
const { model: detector, manifest } = await loadLayersModel(DEFAULT_DETECTOR_CONFIG.modelDir);
const metadata = detectorMetadataFrom(manifest);
const trainedOn = new Set(
  ((manifest.metadata['training'] as { trainGroups?: string[] }).trainGroups ?? []).map((g) => basename(g)),
);
const realVideos = readdirSync(join(dataDir, 'video', 'real'))
  .filter((f) => f.endsWith('.mp4'))
  .map((f) => join(dataDir, 'video', 'real', f));
const bank = await cachedFaceBank(
  'faces-3fps',
  [...realVideos, join(dataDir, 'images', 'real')],
  3,
  CACHE,
  quiet,
  signal,
  metadata.crop.resampling,
);
const all = bank.entries.map((_, i) => i);
const trainFaces = all.filter((i) => trainedOn.has(basename(bank.entries[i]!.group)));
const validationFaces = all.filter((i) => !trainedOn.has(basename(bank.entries[i]!.group)));

const faceres = await loadFaceresGraph();
/**
 * Human's two face-authenticity models, scored zero-shot (nothing fitted): `antispoof` (trained on a Kaggle set of
 * real and photoshopped faces) and `liveness` (live faces against presentation attacks). Each outputs the
 * probability that the face is real/live; its manipulation score here is the logit of one minus that. Human feeds
 * them its face crop resized to the model's input, as here with ours.
 */
const zeroShot = {
  antispoof: await loadGraphModelFile(join(HUMAN_MODELS_DIR, 'antispoof.json'), 'Antispoof model'),
  liveness: await loadGraphModelFile(join(HUMAN_MODELS_DIR, 'liveness.json'), 'Liveness model'),
};
type ZeroShotName = keyof typeof zeroShot;
type ZeroShotScores = Record<ZeroShotName, number[]>;
const ZERO_SHOT_NAMES = Object.keys(zeroShot) as ZeroShotName[];
/** Each model's scores of several crop sets, one after another. */
const concatScores = (parts: ZeroShotScores[]): ZeroShotScores =>
  Object.fromEntries(ZERO_SHOT_NAMES.map((name) => [name, parts.flatMap((p) => p[name])])) as ZeroShotScores;
/** The logit of 1 − p(real): sigmoid of it is the probability of a fake, as videoAuc expects. */
const fakeLogit = (pReal: number) => {
  const p = Math.min(1 - 1e-6, Math.max(1e-6, pReal));
  return Math.log((1 - p) / p);
};

/** Crops (n × CROP² × 3, 0..1) → each zero-shot model's manipulation score per crop. */
function zeroShotScores(pixels: Float32Array, n: number): ZeroShotScores {
  const per = CROP * CROP * 3;
  const out: ZeroShotScores = { antispoof: [], liveness: [] };
  for (const name of ZERO_SHOT_NAMES) {
    const model = zeroShot[name];
    const [, height, width] = model.inputs[0]!.shape!;
    for (let start = 0; start < n; start += 32) {
      const end = Math.min(n, start + 32);
      const real = tf.tidy(() => {
        const crops = tf.tensor4d(pixels.subarray(start * per, end * per), [end - start, CROP, CROP, 3]);
        const y = model.execute(tf.image.resizeBilinear(crops, [height!, width!])) as tf.Tensor;
        return y.reshape([end - start, -1]).slice([0, 0], [-1, 1]);
      });
      out[name].push(...Array.from(real.dataSync(), fakeLogit));
      real.dispose();
    }
  }
  return out;
}
const DIM = FACERES_DIM;
const features = (pixels: Float32Array, n: number) => faceresFeatures(faceres, pixels, n, CROP);

/** The detector's logits, and the mean of its logits on each crop and on the crop mirrored left to right. */
interface DetectorLogits {
  plain: number[];
  flipAveraged: number[];
}
async function detectorLogitsWithFlip(set: LabelledSet): Promise<DetectorLogits> {
  const plain = await setLogits(detector, set);
  const mirrored = tf.reverse(set.x, 2);
  const flipped = await setLogits(detector, { x: mirrored, y: set.y });
  mirrored.dispose();
  return { plain, flipAveraged: plain.map((z, i) => (z + flipped[i]!) / 2) };
}

/** Each face (0) and one self-blend of it (1): features for the probe, and the detector's logits. */
async function pairSet(
  faces: number[],
  seedBase: number,
): Promise<{ probe: FeatureSet; detector: DetectorLogits; zeroShot: ZeroShotScores }> {
  const items = blendItems(faces, 1, seedBase);
  const packed = packPairs(bank, items, CROP, 8);
  const f = new Float32Array(2 * items.length * DIM);
  f.set(features(packed.real, packed.count));
  f.set(features(packed.fake, packed.count), items.length * DIM);
  const groups = items.map((item) => bank.entries[item.index]!.group);
  const y = [...items.map(() => 0 as const), ...items.map(() => 1 as const)];
  const set = selfBlendSet(bank, faces, 1, seedBase, metadata.architecture);
  const detectorLogits = await detectorLogitsWithFlip(set);
  set.x.dispose();
  return {
    probe: { f, y, group: [...groups, ...groups] },
    detector: detectorLogits,
    zeroShot: concatScores([
      zeroShotScores(packed.real, packed.count),
      zeroShotScores(packed.fake, packed.count),
    ]),
  };
}
const train = await pairSet(trainFaces, 10);
const validation = await pairSet(validationFaces, 1_000);

/** Every face of the look-only videos (2 fps), labelled by video: features for the probe, and the detector's logits. */
async function lookOnlySet(): Promise<{
  probe: FeatureSet;
  detector: DetectorLogits;
  zeroShot: ZeroShotScores;
}> {
  const parts: Float32Array[] = [];
  const zeroShotParts: ZeroShotScores[] = [];
  const probe: FeatureSet = { f: new Float32Array(0), y: [], group: [] };
  const detectorLogits: DetectorLogits = { plain: [], flipAveraged: [] };
  const per = CROP * CROP * 3;
  for (const [file, label] of LOOK_ONLY) {
    const video = await cachedFaceBank(
      basename(file, '.mp4'),
      [join(dataDir, file)],
      2,
      CACHE,
      quiet,
      signal,
      metadata.crop.resampling,
    );
    const faces = [...video.entries.keys()];
    if (faces.length === 0) continue;
    const pixels = new Float32Array(faces.length * per);
    for (const i of faces) pixels.set(faceCropAt(video, i, CROP).data, i * per);
    parts.push(features(pixels, faces.length));
    zeroShotParts.push(zeroShotScores(pixels, faces.length));
    const x = faceCropsTensor(video, faces, metadata.architecture.inputSize);
    const logits = await detectorLogitsWithFlip({ x, y: faces.map(() => label) });
    detectorLogits.plain.push(...logits.plain);
    detectorLogits.flipAveraged.push(...logits.flipAveraged);
    x.dispose();
    probe.y.push(...faces.map(() => label));
    probe.group.push(...faces.map(() => basename(file, '.mp4')));
  }
  probe.f = new Float32Array(probe.y.length * DIM);
  let offset = 0;
  for (const part of parts) {
    probe.f.set(part, offset);
    offset += part.length;
  }
  return { probe, detector: detectorLogits, zeroShot: concatScores(zeroShotParts) };
}
const { probe: look, detector: lookDetector, zeroShot: lookZeroShot } = await lookOnlySet();
faceres.dispose();
for (const model of Object.values(zeroShot)) model.dispose();
detector.dispose();

const frameAuc = (scores: number[], y: Array<0 | 1>) =>
  rocAuc(scores.map((score, i) => ({ score, label: y[i]! })));
/** Video AUC from mean frame probabilities. */
function videoAuc(logits: number[], set: FeatureSet): number {
  const videos = new Map<string, { sum: number; n: number; label: 0 | 1 }>();
  logits.forEach((z, i) => {
    const v = videos.get(set.group[i]!) ?? { sum: 0, n: 0, label: set.y[i]! };
    v.sum += 1 / (1 + Math.exp(-z));
    v.n++;
    videos.set(set.group[i]!, v);
  });
  return rocAuc([...videos.values()].map((v) => ({ score: v.sum / v.n, label: v.label })));
}

console.log(
  `\n## Pretrained face models that ship in npm (antispoof, liveness, faceres) against the shipped detector\n`,
);
console.log(
  `${train.probe.y.length / 2} training faces, ${validation.probe.y.length / 2} validation faces (unseen sources), ` +
    `each with one self-blend; look-only: ${look.y.length} faces of ${new Set(look.group).size} videos\n`,
);
const detectorRow = (name: string, pick: (logits: DetectorLogits) => number[]) => [
  name,
  '—',
  frameAuc(pick(train.detector), train.probe.y).toFixed(3),
  frameAuc(pick(validation.detector), validation.probe.y).toFixed(3),
  frameAuc(pick(lookDetector), look.y).toFixed(3),
  videoAuc(pick(lookDetector), look).toFixed(3),
];
const rows: string[][] = [
  detectorRow('shipped detector', (logits) => logits.plain),
  detectorRow('shipped detector, mean of crop and mirrored crop', (logits) => logits.flipAveraged),
];
for (const name of ZERO_SHOT_NAMES) {
  rows.push([
    `${name} (zero-shot, nothing fitted)`,
    '—',
    frameAuc(train.zeroShot[name], train.probe.y).toFixed(3),
    frameAuc(validation.zeroShot[name], validation.probe.y).toFixed(3),
    frameAuc(lookZeroShot[name], look.y).toFixed(3),
    videoAuc(lookZeroShot[name], look).toFixed(3),
  ]);
}
for (const [name, columns] of layerColumns()) {
  const fits = L2_GRID.map((l2) => ({ l2, score: fitProbe(train.probe, [...columns], l2) }));
  const best = fits
    .map((fit) => ({ ...fit, validationAuc: frameAuc(fit.score(validation.probe), validation.probe.y) }))
    .sort((a, b) => b.validationAuc - a.validationAuc)[0]!;
  const lookScores = best.score(look);
  rows.push([
    `probe on ${name}`,
    String(best.l2),
    frameAuc(best.score(train.probe), train.probe.y).toFixed(3),
    best.validationAuc.toFixed(3),
    frameAuc(lookScores, look.y).toFixed(3),
    videoAuc(lookScores, look).toFixed(3),
  ]);
}
const header = [
  'model',
  'L2 (chosen on validation)',
  'train AUC',
  'validation AUC',
  'look-only frame AUC',
  'look-only video AUC',
];
console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
console.log(`\n${((Date.now() - started) / 60_000).toFixed(1)} minutes`);
