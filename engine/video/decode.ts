/**
 * Streams sampled, upright, packed RGB24 frames out of a video with ffmpeg (through fluent-ffmpeg).
 *
 * Filter graph: [rotate] → select (sampling) → settb=AVTB → split; one branch is scaled and converted to rgb24
 * and written as rawvideo to stdout, the other is cropped to 2×2 and fed to `showinfo`, whose per-frame
 * `pts` (in microseconds, thanks to settb) is read from stderr. The frames on stdout and the showinfo lines
 * come in the same order, so the n-th frame gets the n-th timestamp: the true presentation time of the source
 * frame, also for variable-frame-rate input. The crop keeps showinfo's per-frame checksums nearly free.
 *
 * Memory stays bounded: stdout is read one frame at a time as the consumer pulls, and a paused pipe
 * blocks ffmpeg. ffmpeg is killed (and reaped) when the consumer stops early, on abort and on error.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';
import { ffmpegFailureInWords } from './ffmpeg-words.ts';
import type { DecodedFrame } from './frame.ts';
import type { VideoProbe } from './probe.ts';

/**
 * Which frames to decode. Precedence: the window [startSec, endSec) is cut first (seconds from the start of
 * the file; end exclusive); inside it `fps` or `everyNth` thins the frames — they are mutually exclusive, and
 * with neither every frame is decoded; `maxFrames` then caps how many frames are produced.
 */
export interface FrameSampling {
  /**
   * At most this many frames per second: the first source frame in each 1/fps interval (counted from the
   * window start) is kept with its real timestamp. Frames are never duplicated, so a source slower than
   * `fps` yields all its frames.
   */
  fps?: number;
  /** Every Nth decoded frame of the window, starting with its first (N ≥ 1, integer). */
  everyNth?: number;
  /** Stop after this many frames (integer ≥ 1). */
  maxFrames?: number;
  /** Window start in seconds (≥ 0); ffmpeg seeks there, then decodes accurately from the keyframe before it. */
  startSec?: number;
  /** Window end in seconds (> startSec), exclusive. */
  endSec?: number;
}

export interface StreamFramesOptions {
  /** Stops decoding; the generator then throws UnmaskError('cancelled'). */
  signal?: AbortSignal;
  /** Downscale (keeping aspect, even dimensions) so that frames are at most this wide. */
  maxWidth?: number;
  /**
   * Called for each error ffmpeg reports while it goes on decoding (damaged data it skipped or concealed). Such
   * a decode still succeeds: the caller decides what the damage means.
   */
  onDecodeError?: (message: string) => void;
}

/** Frames are always downscaled so that their longer side is at most this many pixels. */
export const DEFAULT_MAX_SIDE = 1920;

/** Slack (in 1/fps buckets) so that a frame exactly on a bucket boundary is not lost to rounding. */
const BUCKET_EPSILON = 1e-6;

function usage(message: string): UnmaskError {
  return new UnmaskError('usage', message);
}

function checkSampling(sampling: FrameSampling): void {
  const { fps, everyNth, maxFrames, startSec, endSec } = sampling;
  if (fps !== undefined && everyNth !== undefined) {
    throw usage('Frame sampling: give either fps or everyNth, not both.');
  }
  if (fps !== undefined && !(Number.isFinite(fps) && fps > 0)) {
    throw usage(`Frame sampling: fps must be a positive number (got ${fps}).`);
  }
  if (everyNth !== undefined && !(Number.isInteger(everyNth) && everyNth >= 1)) {
    throw usage(`Frame sampling: everyNth must be an integer ≥ 1 (got ${everyNth}).`);
  }
  if (maxFrames !== undefined && !(Number.isInteger(maxFrames) && maxFrames >= 1)) {
    throw usage(`Frame sampling: maxFrames must be an integer ≥ 1 (got ${maxFrames}).`);
  }
  if (startSec !== undefined && !(Number.isFinite(startSec) && startSec >= 0)) {
    throw usage(`Frame sampling: startSec must be a number ≥ 0 (got ${startSec}).`);
  }
  if (endSec !== undefined && !(Number.isFinite(endSec) && endSec > (startSec ?? 0))) {
    throw usage(`Frame sampling: endSec must be greater than startSec (got ${endSec}).`);
  }
}

/**
 * Expected number of frames `streamFrames` yields for this probe and sampling, for progress bars. Exact for
 * constant-frame-rate input; an estimate (from the average frame rate) for VFR input and partial windows.
 */
export function countSampledFrames(probe: VideoProbe, sampling: FrameSampling = {}): number {
  checkSampling(sampling);
  const duration = probe.durationSec;
  const start = Math.min(sampling.startSec ?? 0, duration);
  const end = Math.min(sampling.endSec ?? duration, duration);
  const span = Math.max(0, end - start);
  const sourceFps = probe.video.avgFps ?? probe.video.rFrameRate ?? 0;
  const wholeFile = start === 0 && end >= duration;
  const source =
    wholeFile && probe.video.nbFrames !== null ? probe.video.nbFrames : Math.round(span * sourceFps);
  let count = source;
  if (sampling.fps !== undefined) count = Math.min(source, Math.ceil(span * sampling.fps - BUCKET_EPSILON));
  if (sampling.everyNth !== undefined) count = Math.ceil(source / sampling.everyNth);
  if (sampling.maxFrames !== undefined) count = Math.min(count, sampling.maxFrames);
  return Math.max(0, count);
}

/**
 * `sampling` with its rate raised where a short window would yield fewer than `minFrames` frames at `fps`
 * (a 1-second clip at 2 fps gives 2 frames, too few to judge a person on). A source slower than the raised rate
 * still yields all its frames and no more; sampling by `everyNth` is returned as it is.
 */
export function samplingWithMinimumFrames(
  probe: VideoProbe,
  sampling: FrameSampling,
  minFrames: number,
): FrameSampling {
  if (sampling.fps === undefined) return sampling;
  const duration = probe.durationSec;
  const span = Math.min(sampling.endSec ?? duration, duration) - Math.min(sampling.startSec ?? 0, duration);
  if (span <= 0 || span * sampling.fps >= minFrames) return sampling;
  return { ...sampling, fps: minFrames / span };
}

/**
 * Size of the frames `streamFrames` produces: the displayed (rotated) size, downscaled to `maxWidth` and to
 * DEFAULT_MAX_SIDE on the longer side. Unscaled frames keep odd sizes; scaled ones get even sizes.
 */
export function decodedFrameSize(probe: VideoProbe, maxWidth?: number): { width: number; height: number } {
  if (maxWidth !== undefined && !(Number.isInteger(maxWidth) && maxWidth >= 2)) {
    throw usage(`maxWidth must be an integer ≥ 2 (got ${maxWidth}).`);
  }
  const { displayWidth: w, displayHeight: h } = probe.video;
  const factor = Math.min(1, DEFAULT_MAX_SIDE / Math.max(w, h), (maxWidth ?? Infinity) / w);
  if (factor >= 1) return { width: w, height: h };
  const even = (x: number) => Math.max(2, 2 * Math.floor(x / 2 + 1e-9));
  return { width: even(w * factor), height: even(h * factor) };
}

/** ffmpeg filters that turn the stored frame upright; ffmpeg's own autorotation is switched off. */
function rotationFilters(rotation: 0 | 90 | 180 | 270): string[] {
  switch (rotation) {
    case 90:
      return ['transpose=clock'];
    case 180:
      return ['hflip', 'vflip'];
    case 270:
      return ['transpose=cclock'];
    default:
      return [];
  }
}

function selectFilter(sampling: FrameSampling): string[] {
  if (sampling.everyNth !== undefined && sampling.everyNth > 1) {
    return [`select='not(mod(n,${sampling.everyNth}))'`];
  }
  if (sampling.fps !== undefined) {
    // Keep a frame when it falls in a later 1/fps bucket than the last kept one (the first frame always).
    const f = String(sampling.fps);
    const bucket = (t: string) => `floor(${t}*${f}+${BUCKET_EPSILON})`;
    return [`select='isnan(prev_selected_t)+gt(${bucket('t')},${bucket('prev_selected_t')})'`];
  }
  return [];
}

interface DecodePlan {
  inputOptions: string[];
  graph: string;
  outputOptions: string[];
  width: number;
  height: number;
  /** Window start in microseconds, added to the (window-relative) timestamps ffmpeg reports. */
  offsetUs: number;
}

function planDecode(probe: VideoProbe, sampling: FrameSampling, maxWidth: number | undefined): DecodePlan {
  const { width, height } = decodedFrameSize(probe, maxWidth);
  const start = sampling.startSec ?? 0;
  const startText = start.toFixed(6);
  const inputOptions = ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-noautorotate'];
  if (start > 0) inputOptions.push('-ss', startText);
  if (sampling.endSec !== undefined) inputOptions.push('-t', (sampling.endSec - start).toFixed(6));

  const display = { w: probe.video.displayWidth, h: probe.video.displayHeight };
  const resize = width !== display.w || height !== display.h ? [`scale=${width}:${height}:flags=area`] : [];
  const head = [
    ...rotationFilters(probe.video.rotation),
    ...selectFilter(sampling),
    'settb=AVTB',
    'split[frames][info]',
  ];
  const graph =
    `[0:${probe.video.index}]${head.join(',')};` +
    `[info]crop=2:2:0:0,showinfo,nullsink;` +
    `[frames]${[...resize, 'format=rgb24'].join(',')}[out]`;

  const outputOptions = ['-an', '-sn', '-dn', '-vsync', 'passthrough', '-pix_fmt', 'rgb24'];
  if (sampling.maxFrames !== undefined) outputOptions.push('-frames:v', String(sampling.maxFrames));
  return { inputOptions, graph, outputOptions, width, height, offsetUs: Math.round(Number(startText) * 1e6) };
}

const SHOWINFO_LINE = /^\[Parsed_showinfo_\d+ @ [^\]]*\] (?:\[info\] )?n:\s*\d+ pts:\s*(-?\d+|NOPTS)\s/;
const ERROR_LINE = /^(?:\[[^\]]* @ [^\]]*\] )?\[(?:error|fatal|panic)\] (.*)$/;
/** A decoder hiding damage: the frame is output, but parts of it were guessed from their neighbours. */
const CONCEALMENT_LINE = /\] \[(?:info|warning)\] concealing \d+ DC, \d+ AC, \d+ MV errors/;
/** Demuxer messages that mean the input ran out of data (ffmpeg then stops reading but may exit with 0). */
const TRUNCATION_LINE = /partial file|moov atom not found|corrupt input packet/i;

/**
 * Where ffmpeg's stdout is piped. It holds at most QUEUE_LIMIT bytes and then withholds the write callback, so
 * the pipe pauses and ffmpeg blocks until the consumer takes data. `discard()` accepts and drops everything,
 * letting a killed ffmpeg's pipe drain and close. No 'close' event: fluent-ffmpeg would kill ffmpeg on it.
 */
class StdoutSink extends Writable {
  private static readonly QUEUE_LIMIT = 1 << 20;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private held: (() => void) | null = null;
  private finished = false;
  private discarding = false;
  private notify: (() => void) | null = null;

  constructor() {
    super({ highWaterMark: 1 << 16, emitClose: false });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.discarding) return callback();
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (this.queuedBytes < StdoutSink.QUEUE_LIMIT) callback();
    else this.held = callback;
    this.wake();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.finished = true;
    this.wake();
    callback();
  }

  private wake(): void {
    const notify = this.notify;
    this.notify = null;
    notify?.();
  }

  /** The next chunk, or null once ffmpeg's stdout has ended (or is being discarded). */
  async take(): Promise<Buffer | null> {
    while (this.queue.length === 0 && !this.finished && !this.discarding) {
      await new Promise<void>((resolve) => (this.notify = resolve));
    }
    const chunk = this.queue.shift() ?? null;
    if (chunk) this.queuedBytes -= chunk.length;
    if (this.held && this.queuedBytes < StdoutSink.QUEUE_LIMIT) {
      const held = this.held;
      this.held = null;
      held();
    }
    return chunk;
  }

  discard(): void {
    this.discarding = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    const held = this.held;
    this.held = null;
    held?.();
    this.wake();
  }
}

/** One running ffmpeg: its stdout cut into frames, its showinfo timestamps, and its exit. */
class FfmpegDecoder {
  private readonly command: ffmpeg.FfmpegCommand;
  private readonly sink = new StdoutSink();
  private leftover: Buffer | null = null;
  private readonly timestamps: Array<number | null> = [];
  private readonly errors: string[] = [];
  private truncationSeen = false;
  private started = false;
  private stopRequested = false;
  /** undefined while ffmpeg runs; null after a clean exit; the error after a failed one. */
  private exitError: Error | null | undefined = undefined;
  private readonly exited: Promise<void>;
  private notify: (() => void) | null = null;

  constructor(
    private readonly absolutePath: string,
    plan: DecodePlan,
    private readonly onDecodeError: (message: string) => void = () => undefined,
  ) {
    const tools = resolveFfmpeg();
    this.command = ffmpeg(absolutePath)
      .setFfmpegPath(tools.ffmpeg.path)
      .inputOptions(plan.inputOptions)
      .complexFilter(plan.graph, 'out')
      .outputOptions(plan.outputOptions)
      .format('rawvideo');
    this.command.on('stderr', (line: string) => this.onStderr(line));
    this.command.on('start', () => {
      this.started = true;
      if (this.stopRequested) this.command.kill('SIGKILL');
    });
    this.exited = new Promise((resolve) => {
      const done = (error: Error | null) => {
        this.exitError = error;
        resolve();
        this.wake();
      };
      this.command.on('end', () => done(null));
      this.command.on('error', (error: Error) => done(error));
    });
    this.command.pipe(this.sink, { end: true });
  }

  private wake(): void {
    const notify = this.notify;
    this.notify = null;
    notify?.();
  }

  private onStderr(line: string): void {
    const info = SHOWINFO_LINE.exec(line);
    if (info) {
      this.timestamps.push(info[1] === 'NOPTS' ? null : Number(info[1]));
      this.wake();
      return;
    }
    // ffmpeg prints "<input path>: <reason>" when reading the input fails and it stops reading.
    if (TRUNCATION_LINE.test(line) || line.startsWith(`[error] ${this.absolutePath}: `))
      this.truncationSeen = true;
    const error = ERROR_LINE.exec(line);
    if (error) {
      const message = error[1]!.replace(`${this.absolutePath}: `, '').trim();
      this.errors.push(message);
      if (this.errors.length > 20) this.errors.shift();
      this.onDecodeError(message);
    } else if (CONCEALMENT_LINE.test(line)) this.onDecodeError(line.replace(/^.*\] \[\w+\] /, ''));
  }

  /** The next `size` bytes of stdout; null at a clean end of stream; 'partial' when it ends mid-frame. */
  async readFrame(size: number): Promise<Uint8Array | null | 'partial'> {
    const frame = new Uint8Array(size);
    let filled = 0;
    while (filled < size) {
      const chunk = this.leftover ?? (await this.sink.take());
      this.leftover = null;
      if (!chunk) return filled === 0 ? null : 'partial';
      const take = Math.min(size - filled, chunk.length);
      frame.set(chunk.subarray(0, take), filled);
      filled += take;
      if (take < chunk.length) this.leftover = chunk.subarray(take);
    }
    return frame;
  }

  /** Timestamp (µs, window-relative; null if ffmpeg had none) of output frame `index`; undefined if never told. */
  async timestamp(index: number): Promise<number | null | undefined> {
    while (this.timestamps.length <= index && this.exitError === undefined && !this.stopRequested) {
      await new Promise<void>((resolve) => (this.notify = resolve));
    }
    return this.timestamps[index];
  }

  /** Kills ffmpeg if it still runs (or as soon as it starts) and waits until it has exited. */
  async stop(): Promise<void> {
    this.stopRequested = true;
    if (this.exitError === undefined && this.started) this.command.kill('SIGKILL');
    this.sink.discard();
    this.wake();
    await this.exited;
  }

  /** Waits for ffmpeg to exit by itself; returns what went wrong, or null when it decoded cleanly. */
  async outcome(): Promise<{ truncated: boolean; reason: string } | null> {
    await this.exited;
    if (!this.exitError && !this.truncationSeen) return null;
    const reason =
      this.errors.find((line) => TRUNCATION_LINE.test(line)) ??
      this.errors.at(-1) ??
      this.exitError?.message.split('\n')[0] ??
      'unknown ffmpeg error';
    return { truncated: this.truncationSeen, reason };
  }
}

function cancelled(path: string, signal: AbortSignal): UnmaskError {
  return new UnmaskError('cancelled', `Decoding "${path}" was cancelled.`, { cause: signal.reason });
}

/**
 * Decodes the sampled frames of `path` (already probed) as upright RGB24 `DecodedFrame`s, in presentation order,
 * each with its true presentation time in seconds from the start of the file.
 * Throws UnmaskError: 'usage' for bad sampling/options, 'cancelled' on abort, 'inputTruncated' when ffmpeg runs
 * out of data or hits damaged data (after yielding the frames it could decode), 'internal' for other failures.
 */
export async function* streamFrames(
  path: string,
  probe: VideoProbe,
  sampling: FrameSampling = {},
  options: StreamFramesOptions = {},
): AsyncGenerator<DecodedFrame> {
  checkSampling(sampling);
  const plan = planDecode(probe, sampling, options.maxWidth);
  const { signal } = options;
  if (signal?.aborted) throw cancelled(path, signal);

  const decoder = new FfmpegDecoder(resolve(path), plan, options.onDecodeError);
  const onAbort = () => void decoder.stop();
  signal?.addEventListener('abort', onAbort, { once: true });
  const frameBytes = plan.width * plan.height * 3;
  const frameUs = 1e6 / (probe.video.avgFps ?? probe.video.rFrameRate ?? 25);
  let lastUs = plan.offsetUs - frameUs;
  let partial = false;
  try {
    for (let index = 0; index < (sampling.maxFrames ?? Infinity); index++) {
      const data = await decoder.readFrame(frameBytes);
      if (signal?.aborted) throw cancelled(path, signal);
      if (data === null || data === 'partial') {
        partial = data === 'partial';
        break;
      }
      const pts = await decoder.timestamp(index);
      if (signal?.aborted) throw cancelled(path, signal);
      if (pts === undefined) {
        throw new UnmaskError('internal', `ffmpeg gave no timestamp for frame ${index} of "${path}".`);
      }
      // A frame without a timestamp (rare: raw streams) is placed one average frame after the previous one.
      lastUs = pts === null ? lastUs + frameUs : pts + plan.offsetUs;
      yield { width: plan.width, height: plan.height, data, sampleIndex: index, timeSec: lastUs / 1e6 };
      if (signal?.aborted) throw cancelled(path, signal);
      if (index + 1 === sampling.maxFrames) return;
    }
    const failure = await decoder.outcome();
    if (signal?.aborted) throw cancelled(path, signal);
    if (failure && !existsSync(path)) {
      throw new UnmaskError(
        'inputNotFound',
        `"${path}" was deleted or moved while it was being decoded: ${failure.reason}.`,
      );
    }
    if (failure?.truncated) {
      throw new UnmaskError(
        'inputTruncated',
        `Decoding "${path}" stopped early: ${ffmpegFailureInWords('ffmpeg', failure.reason, 'the file is truncated or damaged')}.`,
      );
    }
    if (failure || partial) {
      const reason = failure?.reason ?? 'its output ended in the middle of a frame';
      throw new UnmaskError(
        'internal',
        `ffmpeg failed while decoding "${path}": ${ffmpegFailureInWords('ffmpeg', reason)}.`,
      );
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await decoder.stop();
  }
}
