/** File helpers at the I/O edge: fingerprinting the input and writing outputs so a failure leaves nothing behind. */
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UnmaskError } from './errors.ts';

/** SHA-256 of a file's bytes, streamed (constant memory), as lowercase hex. */
export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  const stream = createReadStream(path, { highWaterMark: 1 << 20, signal });
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sha256Bytes(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a whole file atomically: to a temporary sibling first, then renamed over the target.
 * A crash or error mid-write leaves no partial file at `path`.
 */
export async function writeFileAtomic(path: string, contents: string | Uint8Array): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(temporary, contents);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    throw new UnmaskError('outputNotWritable', `Cannot write ${path}: ${reason}`, { cause: error });
  }
}

/**
 * True when both paths name one file: the same path, a symbolic link to it, or a hard link (same device and
 * inode). Outputs are checked against inputs with this, so no command writes over the evidence it read.
 */
export function isSameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  const statA = statSync(a, { throwIfNoEntry: false });
  const statB = statSync(b, { throwIfNoEntry: false });
  if (!statA || !statB) return false;
  return realpathSync(a) === realpathSync(b) || (statA.dev === statB.dev && statA.ino === statB.ino);
}
