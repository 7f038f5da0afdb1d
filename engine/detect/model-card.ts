/** Writes the detector's model card (markdown) and SHA256SUMS beside the trained weights. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Bytes, writeFileAtomic } from '../util/files.ts';
import type { FaceBank } from './face-bank.ts';
import type { TrainDetectorConfig, TrainDetectorResult } from './train-detector.ts';

export interface ModelCardInput {
  out: string;
  result: TrainDetectorResult;
  config: TrainDetectorConfig;
  bank: FaceBank;
  backend: string;
  command: string[];
}

export async function writeModelCard({
  out,
  result,
  config,
  bank,
  backend,
  command,
}: ModelCardInput): Promise<void> {
  const groups = [...new Set(bank.entries.map((e) => e.group))];
  const evals = result.log.filter((e) => e.validationAuc !== undefined);
  const lines = [
    '# Unmask detector — model card',
    '',
    `Trained ${new Date().toISOString().slice(0, 10)} on the \`${backend}\` TensorFlow.js backend.`,
    '',
    '## What it is',
    '',
    'A small CNN on aligned face crops with two heads: a manipulation logit (calibrated by Platt scaling) and a',
    'blend-boundary map. It was trained only on **real** faces: the fakes are self-blended images (SBI, Shiohara &',
    'Yamasaki, CVPR 2022) made on the fly, so the detector looks for blending traces (boundary, colour and',
    'sharpness mismatch, misalignment) rather than for the fingerprint of one deepfake method.',
    '',
    '## Data',
    '',
    `- ${bank.entries.length} aligned faces (${bank.size}×${bank.size}) from ${groups.length} source files.`,
    `- Validation: held-out source files (never trained on): ${result.validationGroups.join(', ') || 'none'}.`,
    '',
    '## Settings',
    '',
    '```json',
    JSON.stringify(
      { ...config, maxMinutes: Number.isFinite(config.maxMinutes) ? config.maxMinutes : null },
      null,
      2,
    ),
    '```',
    '',
    '## Metrics (validation: held-out faces vs their self-blended fakes)',
    '',
    `- Steps trained: ${result.steps}; final validation AUC ${result.validationAuc.toFixed(4)}.`,
    `- Calibration: Platt, a = ${result.calibration.a.toFixed(4)}, b = ${result.calibration.b.toFixed(4)}.`,
    '',
    '| step | loss | validation AUC | elapsed s |',
    '|---|---|---|---|',
    ...evals.map(
      (e) =>
        `| ${e.step} | ${e.loss.toFixed(4)} | ${e.validationAuc!.toFixed(4)} | ${e.elapsedSec.toFixed(0)} |`,
    ),
    '',
    '## Reproduce',
    '',
    '```sh',
    `npx unmask ${command.map((c) => (/\s/.test(c) ? JSON.stringify(c) : c)).join(' ')}`,
    '```',
    '',
  ];
  await writeFileAtomic(join(out, 'model-card.md'), lines.join('\n'));
  const modelFiles = (await readdir(result.modelDir)).sort();
  const sums: string[] = [];
  for (const name of modelFiles)
    sums.push(`${sha256Bytes(await readFile(join(result.modelDir, name)))}  model/${name}`);
  await writeFileAtomic(join(out, 'SHA256SUMS'), `${sums.join('\n')}\n`);
}
