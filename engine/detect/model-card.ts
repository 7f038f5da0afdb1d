/** Writes the detector's model card (markdown) and SHA256SUMS beside the trained weights. */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256Bytes, writeFileAtomic } from '../util/files.ts';
import type { LabelledFacesReport } from './labelled-faces.ts';
import type {
  DetectorTrainingData,
  TrainDetectorConfig,
  TrainDetectorResult,
  TrainingSession,
} from './train-detector.ts';

export interface ModelCardInput {
  out: string;
  result: TrainDetectorResult;
  config: TrainDetectorConfig;
  data: DetectorTrainingData;
  /** Each labelled dataset's folder and what was kept or skipped of it. */
  datasetReports: ReadonlyArray<{ dir: string; report: LabelledFacesReport }>;
  backend: string;
  command: string[];
}

const auc = (value: number | undefined) =>
  value === undefined || Number.isNaN(value) ? '—' : value.toFixed(4);

/** The settings that changed between sessions (resumes with new settings), as a table; nothing for one session. */
function sessionLines(sessions: readonly TrainingSession[]): string[] {
  if (sessions.length < 2) return [];
  const flat = (session: TrainingSession) =>
    Object.fromEntries(Object.entries(session.config).map(([key, value]) => [key, JSON.stringify(value)]));
  const rows = sessions.map(flat);
  const changed = Object.keys(rows[0]!).filter((key) => rows.some((row) => row[key] !== rows[0]![key]));
  const ends = [...sessions.slice(1).map((s) => s.fromStep), undefined];
  return [
    '## Sessions',
    '',
    "Training was resumed with changed settings (those above are the last session's):",
    '',
    `| steps | ${changed.join(' | ')} |`,
    `|---|${changed.map(() => '---|').join('')}`,
    ...sessions.map(
      (s, i) =>
        `| ${s.fromStep + 1}–${ends[i] ?? 'end'} | ${changed.map((key) => rows[i]![key]).join(' | ')} |`,
    ),
    '',
  ];
}

export async function writeModelCard({
  out,
  result,
  config,
  data,
  datasetReports,
  backend,
  command,
}: ModelCardInput): Promise<void> {
  const reals = data.reals;
  const groups = reals ? new Set(reals.entries.map((e) => e.group)).size : 0;
  const evals = result.log.filter(
    (e) => e.validationAuc !== undefined || e.supervisedValidationAuc !== undefined,
  );
  const lines = [
    '# Unmask detector — model card',
    '',
    `Trained ${new Date().toISOString().slice(0, 10)} on the \`${backend}\` TensorFlow.js backend.`,
    '',
    '## What it is',
    '',
    'A CNN on aligned face crops with two heads: a manipulation logit (calibrated by Platt scaling) and a',
    'blend-boundary map. Its fakes are self-blended images of real faces (SBI, Shiohara & Yamasaki, CVPR 2022),',
    'made on the fly, and, where a labelled dataset was given, real deepfakes paired with their own source faces.',
    '',
    '## Data',
    '',
    reals
      ? `- Real footage: ${reals.entries.length} aligned faces (${reals.size}×${reals.size}, margin ${reals.margin}) from ${groups} source files; validation: held-out source files (never trained on): ${result.validationGroups.join(', ') || 'none'}.`
      : '- Real footage: none.',
    ...datasetReports.map(
      ({ dir, report }) =>
        `- Labelled dataset \`${dir}\`: ${report.kept} of ${report.rows} images kept (${
          Object.entries(report.skipped)
            .map(([reason, n]) => `${n} ${reason}`)
            .join(', ') || 'none skipped'
        }); train ${report.counts.train.real} real / ${report.counts.train.fake} fake, val ${report.counts.val.real} / ${report.counts.val.fake}, test ${report.counts.test.real} / ${report.counts.test.fake}. Its licence terms bind this model too.`,
    ),
    `- Calibration fitted on: ${result.calibratedOn === 'dataset-val' ? "the labelled dataset's val split (real deepfakes)" : 'held-out self-blends'}.`,
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
    ...sessionLines(result.sessions),
    "## Metrics (validation: held-out faces vs their self-blends; the dataset's val split)",
    '',
    `- Steps trained: ${result.steps}; final validation AUC: self-blends ${auc(result.validationAuc)}, dataset ${auc(result.supervisedValidationAuc)}.`,
    `- Calibration: Platt, a = ${result.calibration.a.toFixed(4)}, b = ${result.calibration.b.toFixed(4)}.`,
    '',
    '| step | loss | self-blend val AUC | dataset val AUC | elapsed s |',
    '|---|---|---|---|---|',
    ...evals.map(
      (e) =>
        `| ${e.step} | ${e.loss.toFixed(4)} | ${auc(e.validationAuc)} | ${auc(e.supervisedValidationAuc)} | ${e.elapsedSec.toFixed(0)} |`,
    ),
    '',
    '## Reproduce',
    '',
    ...(result.sessions.length > 1
      ? [
          `The last session's command. To repeat the run, first run the earlier sessions (settings in the Sessions table) in the same --out folder.`,
          '',
        ]
      : []),
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
