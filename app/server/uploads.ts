/**
 * Files a browser sends to `unmask serve` (a pick or a drop) land in `<data dir>/imports/<random>/<name>`. Each
 * upload has a size limit, checked before and while it streams in; uploads that no case keeps are removed when
 * the server starts and when it stops, and as soon as a scan refuses one, so evidence copies do not pile up unseen.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { basename, dirname, join, resolve } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UnmaskError } from '../../engine/util/errors.ts';

/** The largest upload `unmask serve` accepts by default: 4 GiB. */
export const DEFAULT_MAX_UPLOAD_BYTES = 4 * 2 ** 30;

/** "4 GB", "512 MB": a limit in words (binary units, as file managers show sizes). */
export function describeBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${Number((bytes / 2 ** 30).toFixed(1))} GB`;
  if (bytes >= 2 ** 20) return `${Number((bytes / 2 ** 20).toFixed(1))} MB`;
  return `${bytes} bytes`;
}

/** A safe file name for an upload: no folders, no control characters, never empty, "." or "..". */
export function uploadFileName(requested: string | null): string {
  const name = [...basename((requested ?? '').replace(/\\/g, '/'))]
    .map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c))
    .join('');
  return name === '' || name === '.' || name === '..' ? 'upload' : name;
}

function tooLarge(maxBytes: number): UnmaskError {
  return new UnmaskError(
    'inputTooLarge',
    `Uploads are limited to ${describeBytes(maxBytes)}; for a larger file run \`unmask scan\` on this computer.`,
  );
}

/** Streams the request body into a fresh folder under `uploadDir`; nothing is left behind if it fails. */
export async function receiveUpload(
  req: IncomingMessage,
  uploadDir: string,
  requestedName: string | null,
  maxBytes: number,
): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw tooLarge(maxBytes);
  const dir = join(uploadDir, randomBytes(8).toString('hex'));
  const target = join(dir, uploadFileName(requestedName));
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > maxBytes ? tooLarge(maxBytes) : null, chunk);
    },
  });
  try {
    await mkdir(dir, { recursive: true });
    await pipeline(req, limit, createWriteStream(target, { flags: 'wx' }));
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof UnmaskError) throw error;
    throw new UnmaskError('outputNotWritable', 'The upload could not be stored.', { cause: error });
  }
  return target;
}

/** Removes every upload folder none of whose files `isKept` (a case's input) says to keep. */
export async function pruneUploads(
  uploadDir: string,
  isKept: (path: string) => Promise<boolean>,
): Promise<void> {
  const folders = await readdir(uploadDir, { withFileTypes: true }).catch(() => []);
  for (const folder of folders) {
    const dir = join(uploadDir, folder.name);
    const files = folder.isDirectory() ? await readdir(dir).catch(() => []) : [];
    const kept = await Promise.all(files.map((file) => isKept(join(dir, file))));
    if (!kept.includes(true)) await rm(dir, { recursive: true, force: true });
  }
}

/** Removes the upload folder that holds `path` (a scan refused it), unless it is not an upload or a case keeps it. */
export async function discardUpload(
  uploadDir: string,
  path: string,
  isKept: (path: string) => Promise<boolean>,
): Promise<void> {
  const dir = dirname(resolve(path));
  if (dirname(dir) !== resolve(uploadDir) || (await isKept(path))) return;
  await rm(dir, { recursive: true, force: true });
}
