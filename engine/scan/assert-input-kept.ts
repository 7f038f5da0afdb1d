/**
 * The one rule for filing a scan as a case, shared by `unmask scan` and the app: the scanned file must still be
 * there, as the same file, when the scan ends. A file deleted, moved or replaced while it was scanned would
 * leave a case whose evidence is gone (reports re-read the input after checking its SHA-256), so such a scan
 * fails and files nothing.
 */
import { stat } from 'node:fs/promises';
import { UnmaskError } from '../util/errors.ts';
import type { ScanResult } from './scan-result.ts';

export async function assertInputKept(scan: Pick<ScanResult, 'input'>): Promise<void> {
  const info = await stat(scan.input.path).catch(() => null);
  if (!info?.isFile() || info.size !== scan.input.sizeBytes)
    throw new UnmaskError(
      'inputNotFound',
      `${scan.input.fileName} was deleted, moved or replaced while it was being scanned; no case was saved.`,
    );
}
