/**
 * Copies a finished `unmask train-detector` run into resources/models/detector (the shipped model):
 * weights, manifest (with the crop alignment the face bank used), model card, training log and SHA256SUMS.
 * Usage: tsx scripts/ship-detector.ts <run-dir> [--data-prefix <absolute data dir to show as ../shared/data>]
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DetectorArchitecture } from '../engine/detect/detector-network.ts';
import { loadFaceBank } from '../engine/detect/face-bank.ts';
import {
  calibrateOnValidation,
  DEFAULT_TRAIN_DETECTOR,
  splitByGroup,
  validationPairs,
} from '../engine/detect/train-detector.ts';
import {
  loadLayersModel,
  MANIFEST_JSON,
  MODEL_JSON,
  WEIGHTS_BIN,
  type ModelManifest,
} from '../engine/models/layers-model-io.ts';
import { initTensorflow } from '../engine/runtime/tensorflow.ts';
import { modelDir } from '../engine/runtime/paths.ts';
import { sha256Bytes } from '../engine/util/files.ts';

const [run, flag, prefix] = process.argv.slice(2);
if (!run) throw new Error('usage: ship-detector <run-dir> [--data-prefix <dir>]');
const target = modelDir('detector');
mkdirSync(target, { recursive: true });
const manifest = JSON.parse(readFileSync(join(run, 'model', MANIFEST_JSON), 'utf8')) as ModelManifest;
const training = manifest.metadata['training'] as { calibratedOn?: string } | undefined;
if (training?.calibratedOn === 'dataset-val') {
  // Trained on a labelled dataset: its Platt fit on real deepfakes (the dataset's val split) is the one to keep.
  console.log("calibration kept: fitted on the labelled dataset's val split during training");
} else {
  // A self-blend-only run: refit the calibration on its held-out identities (same split and seeds as training).
  const bank = await loadFaceBank(join(run, 'face-bank.bin'));
  manifest.metadata['crop'] ??= { alignedSize: bank.size, margin: bank.margin };
  await initTensorflow();
  const config = {
    ...DEFAULT_TRAIN_DETECTOR,
    architecture: manifest.metadata['architecture'] as DetectorArchitecture,
  };
  const { model } = await loadLayersModel(join(run, 'model'));
  const split = splitByGroup(bank, config.validationFraction, config.seed);
  const { auc, calibration } = await calibrateOnValidation(
    model,
    validationPairs(bank, split.validation, config),
    config.architecture,
  );
  model.dispose();
  manifest.metadata['calibration'] = calibration;
  manifest.metadata['training'] = { ...(manifest.metadata['training'] as object), validationAuc: auc };
  console.log(
    `validation AUC ${auc.toFixed(4)}; Platt a=${calibration.a.toFixed(4)} b=${calibration.b.toFixed(4)}`,
  );
}
for (const name of [MODEL_JSON, WEIGHTS_BIN]) copyFileSync(join(run, 'model', name), join(target, name));
writeFileSync(join(target, MANIFEST_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
const showPath = (text: string) =>
  flag === '--data-prefix' && prefix ? text.split(prefix).join('../shared/data') : text;
writeFileSync(join(target, 'model-card.md'), showPath(readFileSync(join(run, 'model-card.md'), 'utf8')));
if (existsSync(join(run, 'training-log.jsonl')))
  copyFileSync(join(run, 'training-log.jsonl'), join(target, 'training-log.jsonl'));
const sums = [MODEL_JSON, WEIGHTS_BIN, MANIFEST_JSON].map(
  (name) => `${sha256Bytes(readFileSync(join(target, name)))}  ${name}`,
);
writeFileSync(join(target, 'SHA256SUMS'), `${sums.join('\n')}\n`);
console.log(`shipped ${run} → ${target}`);
