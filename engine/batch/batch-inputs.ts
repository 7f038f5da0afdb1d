/**
 * What a batch scans: every video file under a folder (recursively), one video, or the paths listed in a text
 * file (one per line; blank lines and `#` comments skipped; relative paths are relative to the list's folder).
 * Paths come back absolute and sorted, because workers on other machines open them by that path.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { UnmaskError } from '../util/errors.ts';

export const VIDEO_EXTENSIONS: ReadonlySet<string> = new Set([
  '.mp4',
  '.m4v',
  '.mov',
  '.mkv',
  '.webm',
  '.avi',
  '.wmv',
  '.flv',
  '.mpg',
  '.mpeg',
  '.ts',
  '.mts',
  '.m2ts',
  '.3gp',
  '.ogv',
]);

export function isVideoFileName(name: string): boolean {
  return !name.startsWith('.') && VIDEO_EXTENSIONS.has(extname(name).toLowerCase());
}

/** Parses a file list: one path per line, `#` starts a comment line, relative paths against `baseDir`. */
export function parseFileList(text: string, baseDir: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => resolve(baseDir, line));
}

async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await walk(full)));
    else if (entry.isFile() && isVideoFileName(entry.name)) found.push(full);
  }
  return found;
}

/** The videos named by a folder, a video file or a list file; listed files are kept even if missing. */
export async function listBatchInputs(source: string): Promise<string[]> {
  const path = resolve(source);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UnmaskError('inputNotFound', `${source} does not exist.`);
  }
  let files: string[];
  if (info.isDirectory()) files = await walk(path);
  else if (isVideoFileName(path)) files = [path];
  else files = parseFileList(await readFile(path, 'utf8'), dirname(path));
  const unique = [...new Set(files)].sort();
  if (unique.length === 0)
    throw new UnmaskError(
      'batchNoVideos',
      info.isDirectory()
        ? `No video files in ${source} (looked for ${[...VIDEO_EXTENSIONS].join(' ')}).`
        : `${source} lists no files.`,
    );
  return unique;
}
