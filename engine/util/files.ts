/** File helpers at the I/O edge: fingerprinting the input and writing outputs so a failure leaves nothing behind. */
import { createHash } from 'node:crypto';
import { createReadStream, realpathSync, statSync } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
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

/** `.<name>.<pid>.<ms>.partial`: the temporary sibling writeFileAtomic writes first. */
const PARTIAL = /^\..+\.(\d+)\.\d+\.partial$/;

/** A partial file older than this whose writer is gone is stale (the age spares writers on other machines). */
export const STALE_PARTIAL_MS = 60_000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The temporary sibling of `path` that a writer fills before renaming it over `path` (see PARTIAL). */
export function partialSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
}

/** Removes partial files in `dir` left by a writer that was killed (its process is gone) over a minute ago. */
export async function removeStalePartials(dir: string, now = Date.now()): Promise<void> {
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = PARTIAL.exec(name)?.[1];
    if (pid === undefined || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info?.isFile() && now - info.mtimeMs > STALE_PARTIAL_MS) await rm(path, { force: true });
  }
}

/** Flushes a folder's entries (a rename in it) to disk; not every platform can open a folder for that. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => null);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}

/**
 * Writes a whole file atomically and durably: to a temporary sibling first, flushed to disk, then renamed over
 * the target, and the folder flushed too. A crash or kill mid-write leaves no partial file at `path`, and a power
 * loss right after it returns cannot leave an empty one. Stale temporaries of killed writers in the same folder
 * are removed first. `contents` may come in chunks (an iterable), so a large file need not be one string.
 */
export async function writeFileAtomic(
  path: string,
  contents: string | Uint8Array | Iterable<string | Uint8Array>,
): Promise<void> {
  const dir = dirname(path);
  const temporary = partialSibling(path);
  try {
    await mkdir(dir, { recursive: true });
    await removeStalePartials(dir);
    const handle = await open(temporary, 'w');
    try {
      await writeFile(handle, contents);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
    await syncDirectory(dir);
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
