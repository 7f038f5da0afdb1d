/**
 * Probes a video file with ffprobe (through fluent-ffmpeg) and checks that it is something we can scan.
 * Every way an input can be unusable maps to its own UnmaskError code with a one-line message naming the file.
 */
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import ffmpeg from 'fluent-ffmpeg';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';
import { ffmpegFailureInWords } from './ffmpeg-words.ts';

/** Largest frame we decode: longer side at most 4096 and at most 4096×2304 pixels (DCI 4K and UHD pass). */
export const MAX_FRAME_SIDE = 4096;
export const MAX_FRAME_PIXELS = 4096 * 2304;

/** Relative gap between average and real (r_frame_rate) frame rate above which a stream counts as VFR. */
const VFR_TOLERANCE = 0.005;

export interface VideoStreamProbe {
  /** Stream index in the container (what `-map 0:<index>` selects). */
  index: number;
  /** ffprobe codec name, e.g. 'h264', 'hevc', 'vp9'. */
  codec: string;
  /** Codec profile, e.g. 'High', 'Main 10'; null when ffprobe gives none. */
  profile: string | null;
  /** Pixel format, e.g. 'yuv420p'; null when unknown. */
  pixFmt: string | null;
  /** Stored frame size, before rotation. */
  codedWidth: number;
  codedHeight: number;
  /** Clockwise rotation to apply for display (from the display matrix, else the legacy `rotate` tag). */
  rotation: 0 | 90 | 180 | 270;
  /** Frame size as displayed, i.e. after rotation (width and height swapped for 90 and 270). */
  displayWidth: number;
  displayHeight: number;
  /** Sample (pixel) aspect ratio as 'num:den'; null when unknown. Decoding does not correct non-square pixels. */
  sampleAspectRatio: string | null;
  /** Average frame rate (frames / duration); null when ffprobe cannot tell. */
  avgFps: number | null;
  /** ffprobe's r_frame_rate: the base rate all timestamps fit on; null when unknown. */
  rFrameRate: number | null;
  /** Frame count from the container header; null when not stored. */
  nbFrames: number | null;
  /** The video stream's own bit rate in bits/s; null when the container does not say (many MKV/WebM files). */
  bitRate: number | null;
  /** True when avgFps and rFrameRate differ by more than 0.5 %: timestamps are not evenly spaced. */
  variableFrameRate: boolean;
  /** Stream duration in seconds; null when not stored. */
  durationSec: number | null;
  /** Stream start time in seconds (0 for most files). */
  startTimeSec: number;
  /** Stream tags, e.g. language, handler_name, creation_time. */
  tags: Record<string, string>;
}

export interface AudioStreamProbe {
  index: number;
  codec: string;
  /** Samples per second; null when unknown. */
  sampleRate: number | null;
  /** Channel count; null when unknown. */
  channels: number | null;
  tags: Record<string, string>;
}

/** What ffprobe says about a video file that passed the input checks. */
export interface VideoProbe {
  /** Absolute path of the probed file. */
  path: string;
  /** Demuxer names as ffprobe lists them, e.g. ['mov', 'mp4', 'm4a', '3gp', '3g2', 'mj2'] or ['matroska', 'webm']. */
  formatNames: string[];
  /** Human-readable container name, e.g. 'QuickTime / MOV'. */
  formatLongName: string;
  /** Container duration in seconds; falls back to the video stream's, then frames / fps, then 0 when unknown. */
  durationSec: number;
  /** File size in bytes. */
  sizeBytes: number;
  /** Overall bit rate in bits/s; null when unknown. */
  bitRate: number | null;
  /** Container tags, verbatim: encoder, creation_time, comment, and any custom ones (e.g. 'ai_generated'). */
  tags: Record<string, string>;
  /** The first video stream that is not an attached picture (cover art). */
  video: VideoStreamProbe;
  /** The first audio stream, or null when there is none. */
  audio: AudioStreamProbe | null;
}

type Fields = Record<string, unknown>;

interface CheckedFile {
  absolutePath: string;
  sizeBytes: number;
  /** The first bytes of the file, for telling a damaged MP4 from something that is not media at all. */
  head: Buffer;
}

/** Probes `path` and returns its description, or throws an UnmaskError saying why it cannot be scanned. */
export async function probeVideo(path: string): Promise<VideoProbe> {
  const file = await checkInputFile(path);
  let data: { format: Fields; streams: Fields[] };
  try {
    data = await runFfprobe(file.absolutePath);
  } catch (error) {
    throw probeFailure(path, file, error);
  }
  return describe(path, file, data);
}

/** Existence, kind and size checks that need no ffprobe. */
async function checkInputFile(path: string): Promise<CheckedFile> {
  if (typeof path !== 'string' || path.trim() === '') {
    throw new UnmaskError('inputNotFound', 'No input file given.');
  }
  const absolutePath = resolve(path);
  let info;
  try {
    info = await stat(absolutePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' ? 'cannot be accessed (permission denied)' : 'does not exist';
    throw new UnmaskError('inputNotFound', `Input file ${quote(path)} ${why}.`, { cause: error });
  }
  if (info.isDirectory()) {
    throw new UnmaskError('inputIsDirectory', `Input ${quote(path)} is a directory, not a video file.`);
  }
  if (!info.isFile()) {
    throw new UnmaskError('inputNotMedia', `Input ${quote(path)} is not a regular file.`);
  }
  if (info.size === 0) {
    throw new UnmaskError('inputEmpty', `Input file ${quote(path)} is empty (0 bytes).`);
  }
  let head: Buffer;
  try {
    const handle = await open(absolutePath, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(64, info.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      head = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new UnmaskError('inputNotFound', `Input file ${quote(path)} cannot be read.`, { cause: error });
  }
  return { absolutePath, sizeBytes: info.size, head };
}

function runFfprobe(absolutePath: string): Promise<{ format: Fields; streams: Fields[] }> {
  const tools = resolveFfmpeg();
  return new Promise((resolvePromise, reject) => {
    ffmpeg(absolutePath)
      .setFfprobePath(tools.ffprobe.path)
      .ffprobe(['-hide_banner'], (error: Error | null, data: ffmpeg.FfprobeData) => {
        if (error) reject(error);
        else resolvePromise({ format: data.format as Fields, streams: data.streams as Fields[] });
      });
  });
}

/** ISO-BMFF (MP4/MOV/3GP) top-level boxes a real file starts with. */
const MP4_BOXES = new Set(['ftyp', 'moov', 'mdat', 'free', 'skip', 'wide', 'pnot', 'styp']);

function looksLikeMp4(head: Buffer): boolean {
  return head.length >= 8 && MP4_BOXES.has(head.toString('latin1', 4, 8));
}

/** ffprobe failed: a file that starts like an MP4 is truncated or damaged, anything else is not media. */
function probeFailure(path: string, file: CheckedFile, error: unknown): UnmaskError {
  const message = error instanceof Error ? error.message : String(error);
  if (/ENOENT|EACCES/.test(message) && !/exited with code/.test(message)) {
    return new UnmaskError('runtimeMissing', `Could not run ffprobe: ${message}`, { cause: error });
  }
  const reason = ffprobeReason(message, file.absolutePath);
  if (looksLikeMp4(file.head)) {
    return new UnmaskError(
      'inputTruncated',
      `Input file ${quote(path)} is a truncated or damaged MP4/MOV: ${ffmpegFailureInWords('ffprobe', reason)}.`,
      { cause: error },
    );
  }
  // Not an MP4, so "moov atom not found" (ffprobe's guess from the extension) does not mean cut short.
  const what = `Input file ${quote(path)} is not a video ffmpeg can read; ffprobe said: ${reason}.`;
  return new UnmaskError('inputNotMedia', what, { cause: error });
}

/** The most telling line of ffprobe's stderr, without the `[demuxer @ 0x…]` prefix or the file path. */
function ffprobeReason(message: string, absolutePath: string): string {
  const lines = message
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim())
    .filter((line) => line && !/misdetection possible/.test(line));
  const specific = lines.find((line) => /moov atom not found|truncat|partial file|EOF/i.test(line));
  const last = specific ?? lines.at(-1) ?? message.split('\n')[0] ?? 'unknown error';
  return last.startsWith(`${absolutePath}: `) ? last.slice(absolutePath.length + 2) : last;
}

/** Demuxers that read single images (image2, png_pipe, jpeg_pipe, …). */
function isImageDemuxer(formatNames: string[]): boolean {
  return formatNames.some((name) => name === 'image2' || name === 'image2pipe' || name.endsWith('_pipe'));
}

const IMAGE_CODECS = new Set([
  'png',
  'apng',
  'mjpeg',
  'jpegls',
  'jpeg2000',
  'bmp',
  'webp',
  'tiff',
  'gif',
  'ppm',
  'pgm',
  'pam',
]);

function describe(path: string, file: CheckedFile, data: { format: Fields; streams: Fields[] }): VideoProbe {
  const format = data.format;
  const formatNames = (str(format['format_name']) ?? '').split(',').filter(Boolean);
  const videoStreams = data.streams.filter(
    (s) =>
      s['codec_type'] === 'video' && num((s['disposition'] as Fields | undefined)?.['attached_pic']) !== 1,
  );
  const audioStream = data.streams.find((s) => s['codec_type'] === 'audio');
  const first = videoStreams[0];

  if (first) {
    const codec = str(first['codec_name']) ?? '';
    const frames = num(first['nb_frames']);
    const duration = num(first['duration']) ?? num(format['duration']);
    const frameTime = 1 / (rate(first['avg_frame_rate']) ?? 25);
    const oneFrame = frames !== null ? frames <= 1 : duration === null || duration <= 1.5 * frameTime;
    if (isImageDemuxer(formatNames) || (IMAGE_CODECS.has(codec) && oneFrame)) {
      throw new UnmaskError(
        'inputIsStillImage',
        `Input file ${quote(path)} is a still image (${codec || formatNames.join(',')}), not a video.`,
      );
    }
  }
  if (!first) {
    const what = audioStream
      ? `only audio (${str(audioStream['codec_name']) ?? 'unknown codec'})`
      : 'no video stream';
    throw new UnmaskError('inputNoVideoStream', `Input file ${quote(path)} has ${what}; a video is needed.`);
  }

  const video = describeVideo(first);
  if (video.codedWidth <= 0 || video.codedHeight <= 0) {
    throw new UnmaskError('inputNotMedia', `Input file ${quote(path)} has a video stream of unknown size.`);
  }
  const longer = Math.max(video.displayWidth, video.displayHeight);
  if (longer > MAX_FRAME_SIDE || video.displayWidth * video.displayHeight > MAX_FRAME_PIXELS) {
    throw new UnmaskError(
      'inputTooLarge',
      `Input file ${quote(path)} has ${video.displayWidth}×${video.displayHeight} frames; ` +
        `the limit is ${MAX_FRAME_SIDE} pixels on the longer side and ${MAX_FRAME_SIDE}×${MAX_FRAME_PIXELS / MAX_FRAME_SIDE} pixels in all.`,
    );
  }

  const derivedDuration = video.nbFrames !== null && video.avgFps ? video.nbFrames / video.avgFps : null;
  return {
    path: file.absolutePath,
    formatNames,
    formatLongName: str(format['format_long_name']) ?? '',
    durationSec: num(format['duration']) ?? video.durationSec ?? derivedDuration ?? 0,
    sizeBytes: num(format['size']) ?? file.sizeBytes,
    bitRate: num(format['bit_rate']),
    tags: tagsOf(format),
    video,
    audio: audioStream
      ? {
          index: num(audioStream['index']) ?? 0,
          codec: str(audioStream['codec_name']) ?? 'unknown',
          sampleRate: num(audioStream['sample_rate']),
          channels: num(audioStream['channels']),
          tags: tagsOf(audioStream),
        }
      : null,
  };
}

function describeVideo(stream: Fields): VideoStreamProbe {
  const codedWidth = num(stream['width']) ?? 0;
  const codedHeight = num(stream['height']) ?? 0;
  const tags = tagsOf(stream);
  const rotation = rotationOf(stream, tags);
  const swap = rotation === 90 || rotation === 270;
  const avgFps = rate(stream['avg_frame_rate']);
  const rFrameRate = rate(stream['r_frame_rate']);
  const sar = str(stream['sample_aspect_ratio']);
  return {
    index: num(stream['index']) ?? 0,
    codec: str(stream['codec_name']) ?? 'unknown',
    profile: str(stream['profile']),
    pixFmt: str(stream['pix_fmt']),
    codedWidth,
    codedHeight,
    rotation,
    displayWidth: swap ? codedHeight : codedWidth,
    displayHeight: swap ? codedWidth : codedHeight,
    sampleAspectRatio: sar && sar !== '0:1' ? sar : null,
    avgFps,
    rFrameRate,
    nbFrames: num(stream['nb_frames']),
    bitRate: num(stream['bit_rate']),
    variableFrameRate:
      avgFps !== null && rFrameRate !== null && Math.abs(avgFps - rFrameRate) / rFrameRate > VFR_TOLERANCE,
    durationSec: num(stream['duration']),
    startTimeSec: num(stream['start_time']) ?? 0,
    tags,
  };
}

/**
 * Clockwise display rotation. fluent-ffmpeg flattens ffprobe's [SIDE_DATA] block into the stream, so the display
 * matrix's `rotation` (counter-clockwise degrees) sits on the stream object; older ffprobes give a `rotate` tag
 * (clockwise degrees) instead. Angles are snapped to the nearest quarter turn.
 */
function rotationOf(stream: Fields, tags: Record<string, string>): 0 | 90 | 180 | 270 {
  const matrix = num(stream['rotation']);
  const legacy = num(tags['rotate']);
  const clockwise = matrix !== null ? -matrix : (legacy ?? 0);
  const quarter = (((Math.round(clockwise / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
}

function tagsOf(section: Fields): Record<string, string> {
  const tags: Record<string, string> = {};
  const raw = section['tags'];
  if (raw && typeof raw === 'object') {
    for (const [key, value] of Object.entries(raw as Fields)) tags[key] = String(value);
  }
  return tags;
}

/** A finite number from ffprobe's output, or null for 'N/A', missing and the like. */
function num(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : null;
}

function str(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = String(value);
  return text === '' || text === 'N/A' || text === 'unknown' ? null : text;
}

/** '30000/1001' → 29.97; '0/0' and missing → null. */
function rate(value: unknown): number | null {
  const text = str(value);
  if (!text) return null;
  const [n, d] = text.split('/').map(Number);
  if (n === undefined || !Number.isFinite(n) || n <= 0) return null;
  const ratio = d === undefined ? n : n / d;
  return Number.isFinite(ratio) && ratio > 0 ? ratio : null;
}

/** File name in quotes for messages; the full path is in VideoProbe.path and the error's cause. */
function quote(path: string): string {
  return `"${path}"`;
}
