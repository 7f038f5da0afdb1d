/**
 * Labelled face-image datasets: a folder of face photos or crops with a `metadata.csv` that gives each file's
 * label (real/fake), pair (the real source both a real crop and its fakes come from) and split (train/val/test).
 *
 * Each image goes through the scan's own face path: pad (tight crops need context for the face detector), detect
 * on the padded image (`detectFacesScaled`), keep the face at the image's centre, judge and align it with
 * `judgeFace` (the scan's alignment, margin and resampling), and keep its landmark hull for self-blending. Every
 * image that is not kept gets a reason. Stage contract: image file (any ffmpeg-readable format) → aligned face
 * crop, RGB uint8, size×size, in a face bank whose entries carry label, pair and split.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import jpeg from 'jpeg-js';
import { applySimilarity, invertSimilarity, type Similarity } from '../faces/align.ts';
import { detectFacesScaled } from '../faces/detect-scaled.ts';
import { judgeFace, type ExtractFacesOptions, type SkipReason } from '../faces/extract-faces.ts';
import type { DetectedFace, FaceDetectorModel } from '../faces/face-detector.ts';
import { decodeImageFile } from '../imaging/decode-image.ts';
import { convexHull, type Point } from '../imaging/polygon.ts';
import { UnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import type { RgbFrame } from '../video/frame.ts';
import {
  mergeFaceBanks,
  type DatasetSplit,
  type FaceBank,
  type FaceBankEntry,
  type FaceLabel,
} from './face-bank.ts';

export const LABELLED_FACES_CSV = 'metadata.csv';

export interface LabelledFaceRow {
  /** Path relative to the dataset folder. */
  file: string;
  label: FaceLabel;
  /** The real source shared by a real crop and its fakes; training balances and splits by it. */
  pair: string;
  split: DatasetSplit;
}

const LABELS: Record<string, FaceLabel> = { real: 'real', fake: 'fake', '0': 'real', '1': 'fake' };
const SPLITS: Record<string, DatasetSplit> = {
  train: 'train',
  val: 'val',
  validation: 'val',
  test: 'test',
};

/** Parses a dataset's metadata CSV (header row with at least file, label, pair, split). Pure. */
export function parseLabelledFaceCsv(text: string, source = LABELLED_FACES_CSV): LabelledFaceRow[] {
  let records: Record<string, string>[];
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    throw new UnmaskError('inputNotMedia', `${source} is not valid CSV: ${(error as Error).message}`);
  }
  const missing = ['file', 'label', 'pair', 'split'].filter((c) => records.length && !(c in records[0]!));
  if (missing.length) throw new UnmaskError('inputNotMedia', `${source} has no ${missing.join(', ')} column`);
  return records.map((record, i) => {
    const line = i + 2;
    const label = LABELS[record['label']!.toLowerCase()];
    const split = SPLITS[record['split']!.toLowerCase()];
    if (!label) throw new UnmaskError('inputNotMedia', `${source} line ${line}: label must be REAL or FAKE`);
    if (!split)
      throw new UnmaskError('inputNotMedia', `${source} line ${line}: split must be train, val or test`);
    if (!record['file'] || !record['pair'])
      throw new UnmaskError('inputNotMedia', `${source} line ${line}: file and pair must not be empty`);
    return { file: record['file'], label, pair: record['pair'], split };
  });
}

export type LabelledSkipReason = SkipReason | 'unreadable' | 'no-face' | 'off-centre' | 'outside-image';

export interface LabelledFacesOptions {
  /** Alignment, filters and resampling: the scan's (DEFAULT_EXTRACT_FACES with the model's margin). */
  extract: ExtractFacesOptions;
  /** Black border added on each side before detection, as a fraction of the image's longer side. */
  padding: number;
  /** A face is the image's own only if its box centre lies within this fraction of the size from the centre. */
  maxCentreOffset: number;
  /** Crops whose aligned area lies more than this fraction outside the original image are skipped. */
  maxOutside: number;
}

export const DEFAULT_LABELLED_FACES: Omit<LabelledFacesOptions, 'extract'> = {
  padding: 0.5,
  maxCentreOffset: 0.25,
  maxOutside: 0.35,
};

/** The image with a black border of `border` pixels on every side. Pure. */
export function padFrame(frame: RgbFrame, border: number): RgbFrame {
  const width = frame.width + 2 * border;
  const height = frame.height + 2 * border;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < frame.height; y++) {
    data.set(
      frame.data.subarray(y * frame.width * 3, (y + 1) * frame.width * 3),
      ((y + border) * width + border) * 3,
    );
  }
  return { width, height, data };
}

/** The largest face whose box centre is near the point (cx, cy), or undefined. Pure. */
export function centralFace(
  faces: readonly DetectedFace[],
  cx: number,
  cy: number,
  maxOffset: number,
): DetectedFace | undefined {
  const near = faces.filter((f) => {
    const dx = f.box.x + f.box.width / 2 - cx;
    const dy = f.box.y + f.box.height / 2 - cy;
    return Math.abs(dx) <= maxOffset && Math.abs(dy) <= maxOffset;
  });
  return near.sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height)[0];
}

/** Fraction of a size×size crop (made through `transform`) that samples outside the rectangle. Pure. */
export function fractionOutside(
  transform: Similarity,
  size: number,
  rect: { x: number; y: number; width: number; height: number },
): number {
  const inverse = invertSimilarity(transform);
  let outside = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const [u, v] = applySimilarity(inverse, [x, y]);
      if (
        u < rect.x - 0.5 ||
        v < rect.y - 0.5 ||
        u > rect.x + rect.width - 0.5 ||
        v > rect.y + rect.height - 0.5
      )
        outside++;
    }
  }
  return outside / (size * size);
}

export type LabelledFaceResult =
  | { kind: 'face'; crop: RgbFrame; hull: Point[]; outside: number }
  | { kind: 'skipped'; reason: LabelledSkipReason; detail: string };

/** One decoded image → its aligned central face, or why not. Pure but for the detector call. */
export async function alignLabelledFace(
  image: RgbFrame,
  detector: FaceDetectorModel,
  options: LabelledFacesOptions,
  source: string,
): Promise<LabelledFaceResult> {
  const border = Math.round(Math.max(image.width, image.height) * options.padding);
  const frame = padFrame(image, border);
  const faces = await detectFacesScaled(detector, frame);
  if (faces.length === 0) return { kind: 'skipped', reason: 'no-face', detail: 'no face detected' };
  const maxOffset = options.maxCentreOffset * Math.max(image.width, image.height);
  const face = centralFace(faces, frame.width / 2, frame.height / 2, maxOffset);
  if (!face) {
    return {
      kind: 'skipped',
      reason: 'off-centre',
      detail: `${faces.length} face${faces.length === 1 ? '' : 's'} found, none at the centre`,
    };
  }
  const judged = judgeFace(frame, face, source, 0, options.extract);
  if (judged.kind === 'skipped') return { kind: 'skipped', reason: judged.reason, detail: judged.detail };
  const outside = fractionOutside(judged.transform, options.extract.cropSize, {
    x: border,
    y: border,
    width: image.width,
    height: image.height,
  });
  if (outside > options.maxOutside) {
    return {
      kind: 'skipped',
      reason: 'outside-image',
      detail: `${Math.round(outside * 100)}% of the aligned crop lies outside the image (limit ${Math.round(options.maxOutside * 100)}%)`,
    };
  }
  const hull = convexHull(judged.landmarks.map((p): Point => [p[0], p[1]])).map(([x, y]): Point => [
    Math.round(x * 10) / 10,
    Math.round(y * 10) / 10,
  ]);
  return { kind: 'face', crop: judged.crop, hull, outside };
}

export interface LabelledFacesReport {
  rows: number;
  kept: number;
  skipped: Partial<Record<LabelledSkipReason, number>>;
  /** Every image not kept, with its reason. */
  skippedFiles: Array<{ file: string; reason: LabelledSkipReason; detail: string }>;
  /** Kept crops per split and label. */
  counts: Record<DatasetSplit, Record<FaceLabel, number>>;
  /** Median fraction of the kept crops that lies outside their image (filled black). */
  medianOutside: number;
}

/** Bank entries (and crops) per split, in CSV order. */
export type LabelledFaceBanks = Partial<Record<DatasetSplit, FaceBank>>;

/**
 * Decodes a dataset image: JPEGs in this thread with jpeg-js (6× faster than an ffmpeg process per image; on
 * DFDC crops the two decodes differ by 0.27/255 on average, 3/255 at most), anything else, or a JPEG jpeg-js
 * cannot read, with ffmpeg as every other image in Unmask.
 */
export async function decodeDatasetImage(path: string): Promise<RgbFrame> {
  const bytes = await readFile(path);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    try {
      const { width, height, data } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
      return { width, height, data };
    } catch {
      // Fall through to ffmpeg (e.g. arithmetic-coded or CMYK JPEGs).
    }
  }
  return decodeImageFile(path);
}

/**
 * Reads the dataset folder `dir` and aligns every listed image. Decoding runs ahead of detection
 * (`decodeAhead` images at a time), so an ffmpeg process can use a second core.
 */
export async function buildLabelledFaceBanks(
  dir: string,
  rows: readonly LabelledFaceRow[],
  detector: FaceDetectorModel,
  options: LabelledFacesOptions,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
  decodeAhead = 4,
): Promise<{ banks: LabelledFaceBanks; report: LabelledFacesReport }> {
  const size = options.extract.cropSize;
  const parts: Record<DatasetSplit, { entries: FaceBankEntry[]; crops: Uint8Array[] }> = {
    train: { entries: [], crops: [] },
    val: { entries: [], crops: [] },
    test: { entries: [], crops: [] },
  };
  const report: LabelledFacesReport = {
    rows: rows.length,
    kept: 0,
    skipped: {},
    skippedFiles: [],
    counts: {
      train: { real: 0, fake: 0 },
      val: { real: 0, fake: 0 },
      test: { real: 0, fake: 0 },
    },
    medianOutside: 0,
  };
  const outsides: number[] = [];
  const decode = (row: LabelledFaceRow) =>
    decodeDatasetImage(join(dir, row.file)).catch((e: unknown) => e as Error);
  const queue: Array<Promise<RgbFrame | Error>> = rows.slice(0, decodeAhead).map(decode);
  for (const [i, row] of rows.entries()) {
    if (signal?.aborted) throw new UnmaskError('cancelled', 'Cancelled.');
    const image = await queue.shift()!;
    if (i + decodeAhead < rows.length) queue.push(decode(rows[i + decodeAhead]!));
    const result: LabelledFaceResult =
      image instanceof Error
        ? { kind: 'skipped', reason: 'unreadable', detail: image.message }
        : await alignLabelledFace(image, detector, options, row.file);
    if (result.kind === 'skipped') {
      report.skipped[result.reason] = (report.skipped[result.reason] ?? 0) + 1;
      report.skippedFiles.push({ file: row.file, reason: result.reason, detail: result.detail });
    } else {
      const part = parts[row.split];
      part.entries.push({
        hull: result.hull,
        group: row.pair,
        source: row.file,
        label: row.label,
        pair: row.pair,
        split: row.split,
      });
      part.crops.push(result.crop.data);
      report.kept++;
      report.counts[row.split][row.label]++;
      outsides.push(result.outside);
    }
    onProgress({
      stage: 'faces',
      done: i + 1,
      total: rows.length,
      detail: `${report.kept} faces kept, ${i + 1 - report.kept} skipped`,
    });
  }
  outsides.sort((a, b) => a - b);
  report.medianOutside = outsides.length ? outsides[outsides.length >> 1]! : 0;
  const banks: LabelledFaceBanks = {};
  for (const split of ['train', 'val', 'test'] as const) {
    const { entries, crops } = parts[split];
    if (!entries.length) continue;
    const all = new Uint8Array(entries.length * size * size * 3);
    crops.forEach((c, k) => all.set(c, k * size * size * 3));
    banks[split] = {
      size,
      margin: options.extract.margin,
      resampling: options.extract.resampling,
      entries,
      crops: all,
    };
  }
  return { banks, report };
}

/** Merges banks built from consecutive chunks of the rows, keeping the rows' order. Pure. */
export function concatLabelledFaceBanks(
  parts: ReadonlyArray<{ banks: LabelledFaceBanks; report: LabelledFacesReport }>,
): { banks: LabelledFaceBanks; report: LabelledFacesReport } {
  const banks: LabelledFaceBanks = {};
  for (const split of ['train', 'val', 'test'] as const) {
    const present = parts.flatMap((p) => (p.banks[split] ? [p.banks[split]] : []));
    if (present.length) banks[split] = mergeFaceBanks(present);
  }
  const report: LabelledFacesReport = {
    rows: 0,
    kept: 0,
    skipped: {},
    skippedFiles: [],
    counts: {
      train: { real: 0, fake: 0 },
      val: { real: 0, fake: 0 },
      test: { real: 0, fake: 0 },
    },
    medianOutside: 0,
  };
  for (const { report: part } of parts) {
    report.rows += part.rows;
    report.kept += part.kept;
    report.skippedFiles.push(...part.skippedFiles);
    for (const [reason, n] of Object.entries(part.skipped) as Array<[LabelledSkipReason, number]>)
      report.skipped[reason] = (report.skipped[reason] ?? 0) + n;
    for (const split of ['train', 'val', 'test'] as const)
      for (const label of ['real', 'fake'] as const) report.counts[split][label] += part.counts[split][label];
  }
  // The median of medians, weighted by kept faces, is close enough for a report line.
  const weighted = parts
    .filter((p) => p.report.kept > 0)
    .sort((a, b) => a.report.medianOutside - b.report.medianOutside);
  let seen = 0;
  for (const p of weighted) {
    seen += p.report.kept;
    if (seen >= report.kept / 2) {
      report.medianOutside = p.report.medianOutside;
      break;
    }
  }
  return { banks, report };
}
