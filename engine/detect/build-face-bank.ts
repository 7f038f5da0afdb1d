/** Builds a face bank from folders of real videos and photos: detect, judge, align, keep the landmark hull. */
import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import {
  DEFAULT_EXTRACT_FACES,
  extractFaces,
  type ExtractFacesOptions,
  type SkipReason,
} from '../faces/extract-faces.ts';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { IMAGE_EXTENSIONS } from '../imaging/decode-image.ts';
import { convexHull, type Point } from '../imaging/polygon.ts';
import { UnmaskError, isUnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import type { FaceBank, FaceBankEntry } from './face-bank.ts';

export const VIDEO_EXTENSIONS = ['.mp4', '.mov', '.mkv', '.webm', '.avi', '.m4v'] as const;

/** Media files under the given files or folders (recursive), sorted for reproducibility. */
export function listMediaFiles(paths: readonly string[]): string[] {
  const found: string[] = [];
  const media = new Set<string>([...VIDEO_EXTENSIONS, ...IMAGE_EXTENSIONS]);
  const walk = (path: string) => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) throw new UnmaskError('inputNotFound', `${path} does not exist.`);
    if (info.isDirectory()) {
      for (const name of readdirSync(path).sort()) walk(join(path, name));
    } else if (media.has(extname(path).toLowerCase())) {
      found.push(path);
    }
  };
  for (const path of paths) walk(path);
  return found;
}

/** The videos among listMediaFiles(paths). */
export function listVideoFiles(paths: readonly string[]): string[] {
  return listMediaFiles(paths).filter((f) => VIDEO_EXTENSIONS.some((e) => f.toLowerCase().endsWith(e)));
}

export interface FaceBankReport {
  bank: FaceBank;
  files: number;
  kept: number;
  skipped: Record<SkipReason, number>;
  failedFiles: Array<{ file: string; error: string }>;
}

export async function buildFaceBank(
  roots: readonly string[],
  options: ExtractFacesOptions = DEFAULT_EXTRACT_FACES,
  onProgress: ProgressListener = () => undefined,
  signal?: AbortSignal,
): Promise<FaceBankReport> {
  const files = listMediaFiles(roots);
  if (files.length === 0)
    throw new UnmaskError('inputNotFound', `No videos or images found under ${roots.join(', ')}.`);
  const detector = await loadFaceDetector();
  const entries: FaceBankEntry[] = [];
  const crops: Uint8Array[] = [];
  const skipped: Record<SkipReason, number> = {
    'too-small': 0,
    'low-confidence': 0,
    'extreme-pose': 0,
    blurry: 0,
  };
  const failedFiles: FaceBankReport['failedFiles'] = [];
  try {
    for (const [i, file] of files.entries()) {
      const root = roots.find((r) => file.startsWith(r)) ?? '';
      const group = relative(root, file) || file;
      try {
        for await (const item of extractFaces(file, detector, options, signal)) {
          if (item.kind === 'skipped') {
            skipped[item.reason]++;
            continue;
          }
          const hull = convexHull(item.landmarks.map((p): Point => [p[0], p[1]])).map(([x, y]): Point => [
            Math.round(x * 10) / 10,
            Math.round(y * 10) / 10,
          ]);
          entries.push({ hull, group, source: `${group}@${item.timeSec.toFixed(2)}s` });
          crops.push(item.crop.data);
        }
      } catch (error) {
        if (isUnmaskError(error) && error.code === 'cancelled') throw error;
        failedFiles.push({ file, error: error instanceof Error ? error.message : String(error) });
      }
      onProgress({
        stage: 'faces',
        done: i + 1,
        total: files.length,
        detail: `${entries.length} faces kept`,
      });
    }
  } finally {
    detector.dispose();
  }
  const size = options.cropSize;
  const all = new Uint8Array(crops.length * size * size * 3);
  crops.forEach((c, i) => all.set(c, i * size * size * 3));
  return {
    bank: { size, margin: options.margin, resampling: options.resampling, entries, crops: all },
    files: files.length,
    kept: entries.length,
    skipped,
    failedFiles,
  };
}
