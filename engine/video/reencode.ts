/** Re-encodes a video with H.264 at a given CRF (fluent-ffmpeg), e.g. to test robustness to recompression. */
import { existsSync } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';
import { partialSibling, removeStalePartials, sha256Bytes } from '../util/files.ts';
import type { ProgressListener } from '../util/progress.ts';

export function reencodeH264(input: string, output: string, crf: number): Promise<void> {
  const tools = resolveFfmpeg();
  return new Promise((resolve, reject) => {
    ffmpeg(input)
      .setFfmpegPath(tools.ffmpeg.path)
      .setFfprobePath(tools.ffprobe.path)
      .outputOptions([
        '-map',
        '0:v:0',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        String(crf),
        '-pix_fmt',
        'yuv420p',
        '-an',
      ])
      .format('mp4')
      .on('end', () => resolve())
      .on('error', (error: Error) =>
        reject(
          new UnmaskError('internal', `Re-encoding ${input} failed: ${error.message.split('\n')[0]}`, {
            cause: error,
          }),
        ),
      )
      .save(output);
  });
}

/**
 * H.264 copies of `videos` at each CRF, made once in `dir` and reused: `<name>-<hash of the source path>-crf<N>.mp4`.
 * Each copy is written to a partial sibling and renamed (util/files.ts: a killed run's partials are removed by
 * the next), so a kill never leaves a half-written copy that a rerun would take for a finished one. Returns the
 * copies' paths, video by video, CRF by CRF.
 */
export async function cachedReencodedCopies(
  videos: readonly string[],
  crfs: readonly number[],
  dir: string,
  onProgress: ProgressListener,
  signal?: AbortSignal,
): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  await removeStalePartials(dir);
  const copies: string[] = [];
  const total = videos.length * crfs.length;
  for (const video of videos) {
    const stem = `${basename(video, extname(video))}-${sha256Bytes(resolve(video)).slice(0, 8)}`;
    for (const crf of crfs) {
      signal?.throwIfAborted();
      onProgress({ stage: 'reencode', done: copies.length, total, detail: `${basename(video)} CRF ${crf}` });
      const copy = join(dir, `${stem}-crf${crf}.mp4`);
      if (!existsSync(copy)) {
        const partial = partialSibling(copy);
        await reencodeH264(video, partial, crf);
        await rename(partial, copy);
      }
      copies.push(copy);
    }
  }
  onProgress({ stage: 'reencode', done: total, total, detail: 'done' });
  return copies;
}
