/**
 * Encodes RGB24 frames written one at a time into an H.264 video with ffmpeg, optionally muxing the audio of
 * another file and writing container metadata. The output appears atomically: ffmpeg writes a temporary sibling
 * that is renamed into place by `finish()`; `abort()` (or a failure) removes it.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';
import type { RgbFrame } from './frame.ts';

export interface FrameEncoderOptions {
  width: number;
  height: number;
  fps: number;
  /** Take the first audio stream of this file (if it has one) and re-encode it as AAC. */
  audioFrom?: string;
  /** Container tags, e.g. { ai_generated: 'true' }. MP4/MOV get them through `-movflags +use_metadata_tags`. */
  metadata?: Record<string, string>;
  crf?: number;
}

export interface FrameEncoder {
  write(frame: RgbFrame): Promise<void>;
  /** Closes the stream, waits for ffmpeg and moves the file into place. */
  finish(): Promise<void>;
  /** Kills ffmpeg and removes the partial file. */
  abort(): Promise<void>;
}

export function openFrameEncoder(output: string, options: FrameEncoderOptions): FrameEncoder {
  const ffmpeg = resolveFfmpeg().ffmpeg.path;
  const extension = extname(output).toLowerCase() || '.mp4';
  const temporary = join(
    dirname(output),
    `.${basename(output, extension)}.${process.pid}.partial${extension}`,
  );
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${options.width}x${options.height}`);
  args.push('-r', String(options.fps), '-i', 'pipe:0');
  if (options.audioFrom)
    args.push('-i', options.audioFrom, '-map', '0:v:0', '-map', '1:a:0?', '-c:a', 'aac', '-b:a', '160k');
  else args.push('-map', '0:v:0');
  args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2', '-c:v', 'libx264', '-preset', 'veryfast');
  args.push('-crf', String(options.crf ?? 18), '-pix_fmt', 'yuv420p');
  for (const [key, value] of Object.entries(options.metadata ?? {}))
    args.push('-metadata', `${key}=${value}`);
  if (['.mp4', '.mov', '.m4v'].includes(extension)) args.push('-movflags', '+use_metadata_tags+faststart');
  args.push(temporary);

  const child: ChildProcessWithoutNullStreams = spawn(ffmpeg, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  child.stdin.on('error', () => undefined); // reported through the exit status
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const frameBytes = options.width * options.height * 3;
  const failure = (what: string) => {
    const reason = stderr.trim().split('\n').at(-1) ?? 'unknown error';
    const full = /No space left/i.test(stderr);
    return new UnmaskError(
      full ? 'swapDiskFull' : 'outputNotWritable',
      full
        ? `Disk full while writing ${output}; the partial file was removed.`
        : `Encoding ${output} failed (${what}): ${reason}`,
    );
  };

  return {
    async write(frame) {
      if (
        frame.width !== options.width ||
        frame.height !== options.height ||
        frame.data.length !== frameBytes
      )
        throw new RangeError(
          `frame is ${frame.width}×${frame.height}, the encoder expects ${options.width}×${options.height}`,
        );
      if (child.exitCode !== null) {
        await rm(temporary, { force: true });
        throw failure('ffmpeg stopped');
      }
      if (!child.stdin.write(frame.data)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            child.stdin.off('drain', done);
            child.off('close', done);
            resolve();
          };
          child.stdin.on('drain', done);
          child.on('close', done);
        });
      }
    },
    async finish() {
      child.stdin.end();
      const code = await exited;
      if (code !== 0) {
        await rm(temporary, { force: true });
        throw failure(`exit ${code}`);
      }
      try {
        await rename(temporary, output);
      } catch (error) {
        await rm(temporary, { force: true });
        throw new UnmaskError(
          'outputNotWritable',
          `Cannot move the video into ${output}: ${(error as Error).message}`,
        );
      }
    },
    async abort() {
      child.kill('SIGKILL');
      await exited;
      await rm(temporary, { force: true });
    },
  };
}
