/** Face banks cached in an output folder, so reruns (resume after a kill) skip extraction. */
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { DEFAULT_EXTRACT_FACES } from '../faces/extract-faces.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { sha256Bytes, writeFileAtomic } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { buildFaceBank, listMediaFiles } from './build-face-bank.ts';
import { UnmaskError } from '../util/errors.ts';
import { loadFaceBank, saveFaceBank, type DatasetSplit, type FaceBank } from './face-bank.ts';
import { alignLabelledFaces } from './align-labelled-faces.ts';
import {
  LABELLED_FACES_CSV,
  parseLabelledFaceCsv,
  type LabelledFaceBanks,
  type LabelledFacesOptions,
  type LabelledFacesReport,
} from './labelled-faces.ts';

/**
 * The face bank of `paths` in `out/<name>.bin`, rebuilt only when the file list, sampling or resampling changed,
 * so a rerun after a kill goes straight back to training.
 */
export async function cachedFaceBank(
  name: string,
  paths: string[],
  fps: number,
  out: string,
  onProgress: ProgressListener,
  signal: AbortSignal,
  resampling: Resampling = DEFAULT_EXTRACT_FACES.resampling,
  margin: number = DEFAULT_EXTRACT_FACES.margin,
): Promise<FaceBank> {
  const bankPath = join(out, `${name}.bin`);
  const sourcesPath = join(out, `${name}.sources.json`);
  const roots = paths.map((p) => resolve(p));
  const files = listMediaFiles(roots);
  // Banks cached before resampling and margin were choices were bilinear at 0.15: their key stays valid.
  const key = sha256Bytes(
    JSON.stringify({
      files,
      fps,
      ...(resampling === 'bilinear' ? {} : { resampling }),
      ...(margin === DEFAULT_EXTRACT_FACES.margin ? {} : { margin }),
    }),
  );
  const cached =
    existsSync(sourcesPath) && (JSON.parse(await readFile(sourcesPath, 'utf8')) as { key: string }).key;
  if (cached === key && existsSync(bankPath)) {
    const bank = await loadFaceBank(bankPath);
    process.stderr.write(`Reusing ${bankPath} (${bank.entries.length} faces)\n`);
    return bank;
  }
  const report = await buildFaceBank(
    roots,
    { ...DEFAULT_EXTRACT_FACES, sampling: { fps }, resampling, margin },
    onProgress,
    signal,
  );
  await saveFaceBank(report.bank, bankPath);
  await writeFileAtomic(
    sourcesPath,
    JSON.stringify({ key, files, report: { ...report, bank: undefined } }, null, 1),
  );
  process.stderr.write(
    `${name}: ${report.kept} faces from ${report.files} files; skipped ${JSON.stringify(report.skipped)}` +
      `${report.failedFiles.length ? `; unreadable: ${report.failedFiles.map((f) => f.file).join(', ')}` : ''}\n`,
  );
  return report.bank;
}

/**
 * The labelled face banks (one per split) of the dataset folder `dir`, cached in `out` and rebuilt only when its
 * metadata CSV or the alignment options changed. The report (with every skipped image and why) is written beside
 * them and printed.
 */
export async function cachedLabelledFaceBanks(
  dir: string,
  options: LabelledFacesOptions,
  out: string,
  onProgress: ProgressListener,
  signal: AbortSignal,
  threads = Math.max(1, availableParallelism()),
): Promise<{ banks: LabelledFaceBanks; report: LabelledFacesReport }> {
  const root = resolve(dir);
  const csvPath = join(root, LABELLED_FACES_CSV);
  if (!existsSync(csvPath))
    throw new UnmaskError('inputNotFound', `${dir} has no ${LABELLED_FACES_CSV} (file, label, pair, split).`);
  const csv = await readFile(csvPath, 'utf8');
  const name = `faces-${basename(root)}-${sha256Bytes(root).slice(0, 8)}`;
  const reportPath = join(out, `${name}.report.json`);
  const key = sha256Bytes(JSON.stringify({ csv: sha256Bytes(csv), options }));
  const bankPath = (split: DatasetSplit) => join(out, `${name}.${split}.bin`);
  if (existsSync(reportPath)) {
    const cached = JSON.parse(await readFile(reportPath, 'utf8')) as {
      key: string;
      splits: DatasetSplit[];
      report: LabelledFacesReport;
    };
    if (cached.key === key && cached.splits.every((s) => existsSync(bankPath(s)))) {
      const banks: LabelledFaceBanks = {};
      for (const split of cached.splits) banks[split] = await loadFaceBank(bankPath(split));
      process.stderr.write(`Reusing ${name} (${cached.report.kept} faces)\n`);
      return { banks, report: cached.report };
    }
  }
  const rows = parseLabelledFaceCsv(csv, csvPath);
  const built = await alignLabelledFaces(root, rows, options, threads, onProgress, signal);
  const splits = Object.keys(built.banks) as DatasetSplit[];
  await mkdir(out, { recursive: true });
  for (const split of splits) await saveFaceBank(built.banks[split]!, bankPath(split));
  await writeFileAtomic(
    reportPath,
    JSON.stringify({ key, dir: root, splits, report: built.report }, null, 1),
  );
  process.stderr.write(`${describeLabelledFacesReport(dir, built.report)}\n`);
  return built;
}

/** One line for the terminal: kept, skipped by reason. */
export function describeLabelledFacesReport(dir: string, report: LabelledFacesReport): string {
  const skipped = Object.entries(report.skipped)
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return (
    `${dir}: ${report.kept} of ${report.rows} faces kept` +
    `${skipped ? `; skipped ${skipped}` : ''} (median ${Math.round(report.medianOutside * 100)}% of a crop outside its image)`
  );
}
