/**
 * Frame-level evaluation on a labelled face dataset (labelled-faces.ts): every aligned face of a split is scored
 * by the detector as the scan would score it, and the scores give AUC, calibration error and the rates at the
 * flag threshold. `reencodeImages` makes an H.264-recompressed copy of a dataset, to measure robustness.
 */
import { spawn } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resolveTool } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import type { DetectorModel } from './detector.ts';
import { DEFAULT_FLAG_THRESHOLD } from './evaluate.ts';
import { faceCropAt, type FaceBank } from './face-bank.ts';
import { LABELLED_FACES_CSV, type LabelledFaceRow } from './labelled-faces.ts';
import {
  expectedCalibrationError,
  rocAuc,
  rocCurve,
  statsAtThreshold,
  type LabelledScore,
  type RocPoint,
  type ThresholdStats,
} from './metrics.ts';

export interface FaceEvaluation {
  samples: { real: number; fake: number };
  auc: number;
  /** Expected calibration error of the calibrated probabilities. */
  ece: number;
  roc: RocPoint[];
  atFlagThreshold: ThresholdStats;
  atHalf: ThresholdStats;
}

/** AUC, ECE and threshold rates of per-face probabilities. Pure. */
export function summarizeFaceScores(
  scores: readonly LabelledScore[],
  flagThreshold = DEFAULT_FLAG_THRESHOLD,
): FaceEvaluation {
  return {
    samples: {
      real: scores.filter((s) => s.label === 0).length,
      fake: scores.filter((s) => s.label === 1).length,
    },
    auc: rocAuc(scores),
    ece: expectedCalibrationError(scores),
    roc: rocCurve(scores),
    atFlagThreshold: statsAtThreshold(scores, flagThreshold),
    atHalf: statsAtThreshold(scores, 0.5),
  };
}

/** One scored face: its image (the bank entry's source), label, raw logit and calibrated probability (`score`). */
export interface FaceScore extends LabelledScore {
  source: string;
  logit: number;
}

/**
 * The detector's raw logit and calibrated probability for every labelled face of `bank`. The bank must be
 * aligned as the detector crops (its size and margin), which `cachedLabelledFaceBanks` does when given the
 * detector's crop.
 */
export async function scoreFaceBank(
  detector: DetectorModel,
  bank: FaceBank,
  onProgress: ProgressListener = () => undefined,
  chunk = 64,
): Promise<FaceScore[]> {
  const { crop, architecture } = detector.metadata;
  if (bank.size !== crop.alignedSize || bank.margin !== crop.margin || bank.resampling !== crop.resampling) {
    throw new UnmaskError(
      'usage',
      `These faces were aligned at ${bank.size} px, margin ${bank.margin}, ${bank.resampling}; the detector crops at ${crop.alignedSize} px, margin ${crop.margin}, ${crop.resampling}.`,
    );
  }
  const scores: FaceScore[] = [];
  for (let start = 0; start < bank.entries.length; start += chunk) {
    const end = Math.min(bank.entries.length, start + chunk);
    const crops = [];
    for (let i = start; i < end; i++) crops.push(faceCropAt(bank, i, architecture.inputSize));
    const predictions = await detector.predict(crops);
    predictions.forEach((p, k) => {
      const entry = bank.entries[start + k]!;
      scores.push({
        source: entry.source,
        label: entry.label === 'fake' ? 1 : 0,
        logit: p.logit,
        score: p.probability,
      });
    });
    onProgress({ stage: 'score', done: end, total: bank.entries.length });
  }
  return scores;
}

function run(tool: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(stderr.trim().split('\n')[0] ?? `exit ${code}`)),
    );
  });
}

/**
 * A copy of the dataset's `rows` in `outDir`, each image passed through H.264 at `crf` (a one-frame video,
 * yuv420p, as a platform would re-encode it) and stored losslessly as PNG, with its own metadata CSV. Returns the
 * copy's rows (same labels, pairs and splits).
 */
export async function reencodeImages(
  dir: string,
  rows: readonly LabelledFaceRow[],
  crf: number,
  outDir: string,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<LabelledFaceRow[]> {
  const ffmpeg = resolveTool('ffmpeg').path;
  const copies: LabelledFaceRow[] = [];
  const quiet = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  for (const [i, row] of rows.entries()) {
    if (signal?.aborted) throw new UnmaskError('cancelled', 'Cancelled.');
    const file = `${row.file.replace(/\.[^./]+$/, '')}.png`;
    const video = join(outDir, `${i}.mp4`);
    await mkdir(dirname(join(outDir, file)), { recursive: true });
    try {
      await run(ffmpeg, [
        ...quiet,
        '-i',
        join(dir, row.file),
        '-vf',
        'pad=ceil(iw/2)*2:ceil(ih/2)*2',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        String(crf),
        '-pix_fmt',
        'yuv420p',
        video,
      ]);
      await run(ffmpeg, [...quiet, '-i', video, '-frames:v', '1', join(outDir, file)]);
      copies.push({ ...row, file });
    } catch {
      // An image ffmpeg cannot read stays out; the aligner reports it as unreadable in the original.
    } finally {
      await rm(video, { force: true });
    }
    onProgress({ stage: 'reencode', done: i + 1, total: rows.length });
  }
  const field = (v: string) => (/[",\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
  const csv = [
    'file,label,pair,split',
    ...copies.map((r) => [r.file, r.label, r.pair, r.split].map(field).join(',')),
  ];
  await writeFile(join(outDir, LABELLED_FACES_CSV), `${csv.join('\n')}\n`);
  return copies;
}
