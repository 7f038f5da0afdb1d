/**
 * Scan memory at scale (issue 29, "Memory at scale"): peak RSS of `unmask scan` over a 1-hour video against a
 * 1-minute one, same content and settings; the goal is the hour within 20 % of the minute. A scan streams each
 * frame's result to a FrameLog and writes the JSON and the case from it, so its memory should not grow with
 * the video's length.
 *
 * Each scan is the real CLI in its own process, as a user runs it: landmarks kept (the default), the JSON written
 * with --out, the case filed in a temporary library. Peak RSS is the process's own ru_maxrss, written on exit by
 * a preloaded module with the time its garbage collector took (the price of engine/runtime/heap-policy.ts);
 * ffmpeg decodes in its own, constant-size process and is not counted.
 *
 * The videos are 640×360 at 5 fps (cheap to decode) and scanned at 1 sampled frame per second, so the hour is
 * 3,600 frames; SCAN_MEMORY_MINUTES (default 60) and SCAN_MEMORY_FPS (default 1) change that. The content is the
 * data folder's 720p singer clip (argument or ../shared/data) when present, else Grace Hopper panning (the
 * public-domain test picture), made into a 1-minute clip that the longer video repeats by stream copy. Both are
 * cached under the system's temporary folder between runs.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveTool } from '../engine/runtime/ffmpeg.ts';
import { GRACE_HOPPER_JPG } from '../engine/testing/fixtures.ts';
import { loadLine, printTable } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'bin', 'unmask.js');
const PRELOAD = fileURLToPath(new URL('./process-stats-on-exit.mjs', import.meta.url));
const dataDir = process.argv[2] ?? join(ROOT, '..', 'shared', 'data');
const LONG_MINUTES = Number(process.env['SCAN_MEMORY_MINUTES'] ?? 60);
const SCAN_FPS = Number(process.env['SCAN_MEMORY_FPS'] ?? 1);
const SIZE = '640x360';
const SOURCE_FPS = 5;
/** The bound: the long scan's peak RSS within this factor of the short one's. */
const LIMIT = 1.2;

const CACHE = join(tmpdir(), 'unmask-bench-scan-memory', 'v1');
const QUIET = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

function ffmpeg(args: string[]): void {
  execFileSync(resolveTool('ffmpeg').path, [...QUIET, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Builds `name` in the cache with `make(temporary path)` unless it is there already; returns its path. */
function cached(name: string, make: (out: string) => void): string {
  const target = join(CACHE, name);
  if (existsSync(target)) return target;
  mkdirSync(CACHE, { recursive: true });
  const temporary = join(CACHE, `.${process.pid}-${name}`);
  try {
    make(temporary);
    renameSync(temporary, target);
  } finally {
    rmSync(temporary, { force: true });
  }
  return target;
}

/** One minute of a face at 640×360, 5 fps: the singer clip looped, else the panning public-domain portrait. */
function minuteClip(): { path: string; content: string } {
  const singer = join(dataDir, 'video', 'real', 'ghost_nggyup.mp4');
  const scale = `scale=${SIZE.replace('x', ':')}:force_original_aspect_ratio=decrease,pad=${SIZE.replace('x', ':')}:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=${SOURCE_FPS}`;
  if (existsSync(singer)) {
    return {
      content: `${singer} (looped)`,
      path: cached('singer-1min.mp4', (out) =>
        ffmpeg([
          '-stream_loop',
          '-1',
          '-i',
          singer,
          '-t',
          '60',
          '-vf',
          scale,
          '-an',
          ...X264,
          '-f',
          'mp4',
          out,
        ]),
      ),
    };
  }
  return {
    content: `${GRACE_HOPPER_JPG}, panning (no data folder at ${dataDir})`,
    path: cached('portrait-1min.mp4', (out) =>
      ffmpeg([
        ...['-loop', '1', '-framerate', String(SOURCE_FPS), '-t', '60', '-i', GRACE_HOPPER_JPG],
        ...[
          '-vf',
          `pad=910:512:(ow-iw)/2:0:color=0x404040,scale=704:396,crop=640:360:x='32+30*sin(2*PI*t/4)':y='18+16*sin(2*PI*t/3)',setsar=1`,
        ],
        ...[...X264, '-f', 'mp4', out],
      ]),
    ),
  };
}

/** The minute repeated to `minutes` by stream copy (no re-encoding). */
function longClip(minute: string, minutes: number): string {
  return cached(`${minute.replace(/^.*\//, '').replace('-1min.mp4', '')}-${minutes}min.mp4`, (out) =>
    ffmpeg(['-stream_loop', String(minutes - 1), '-i', minute, '-c', 'copy', '-f', 'mp4', out]),
  );
}

interface Measurement {
  frames: number;
  seconds: number;
  peakRssMiB: number;
  gcSeconds: number;
  jsonMiB: number;
}

/** `unmask scan` in its own process; its peak RSS, time in garbage collection, frames, time and JSON size. */
async function scanOnce(video: string): Promise<Measurement> {
  const dir = mkdtempSync(join(tmpdir(), 'unmask-bench-scan-memory-'));
  const statsFile = join(dir, 'stats.json');
  const out = join(dir, 'scan.json');
  try {
    const started = performance.now();
    const child = spawn(
      process.execPath,
      [
        ...['--import', PRELOAD, CLI, 'scan', video, '--fps', String(SCAN_FPS)],
        ...['--out', out, '--data-dir', join(dir, 'cases')],
      ],
      { env: { ...process.env, UNMASK_BENCH_STATS_FILE: statsFile }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    if (code !== 0) throw new Error(`unmask scan ${video} exited with ${code}:\n${stderr}`);
    const seconds = (performance.now() - started) / 1000;
    const frames = Number(/"sampledFrames": (\d+)/.exec(readFileSync(out, 'utf8').slice(-4000))?.[1] ?? NaN);
    const stats = JSON.parse(readFileSync(statsFile, 'utf8')) as { maxRssKiB: number; gcMs: number };
    return {
      frames,
      seconds,
      peakRssMiB: stats.maxRssKiB / 1024,
      gcSeconds: stats.gcMs / 1000,
      jsonMiB: statSync(out).size / 2 ** 20,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const minute = minuteClip();
const long = longClip(minute.path, LONG_MINUTES);
console.log(`\n## Scan memory — 1 min against ${LONG_MINUTES} min of the same face\n`);
console.log(
  `Content: ${minute.content}; ${SIZE} at ${SOURCE_FPS} fps, scanned with \`unmask scan --fps ${SCAN_FPS} --out … --data-dir …\`` +
    ' (landmarks kept, JSON written, case filed).',
);
console.log(loadLine('at the start'));
const short = await scanOnce(minute.path);
const longRun = await scanOnce(long);
const ratio = longRun.peakRssMiB / short.peakRssMiB;
printTable(
  [
    ['1 min', short],
    [`${LONG_MINUTES} min`, longRun],
  ].map(([name, m]) => {
    const run = m as Measurement;
    return {
      video: name as string,
      'sampled frames': run.frames,
      'wall s': run.seconds,
      'GC s': run.gcSeconds,
      'scan JSON MiB': run.jsonMiB,
      'peak RSS MiB': run.peakRssMiB,
    };
  }),
);
console.log(loadLine('at the end'));
console.log(
  `\nPeak RSS ${LONG_MINUTES} min ÷ 1 min: ${ratio.toFixed(3)} (goal ≤ ${LIMIT}): ${ratio <= LIMIT ? 'met' : 'NOT met'}.`,
);
if (ratio > LIMIT) process.exitCode = 1;
