/** Face banks cached in an output folder, so reruns (resume after a kill) skip extraction. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DEFAULT_EXTRACT_FACES } from '../faces/extract-faces.ts';
import type { Resampling } from '../imaging/float-image.ts';
import { sha256Bytes, writeFileAtomic } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';
import { buildFaceBank, listMediaFiles } from './build-face-bank.ts';
import { loadFaceBank, saveFaceBank, type FaceBank } from './face-bank.ts';

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
): Promise<FaceBank> {
  const bankPath = join(out, `${name}.bin`);
  const sourcesPath = join(out, `${name}.sources.json`);
  const roots = paths.map((p) => resolve(p));
  const files = listMediaFiles(roots);
  // Banks cached before resampling was a choice were bilinear: their key stays valid.
  const key = sha256Bytes(
    JSON.stringify(resampling === 'bilinear' ? { files, fps } : { files, fps, resampling }),
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
    { ...DEFAULT_EXTRACT_FACES, sampling: { fps }, resampling },
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
