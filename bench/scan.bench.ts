/**
 * Scan throughput: decode-only vs decode + faces on the same clip and sampling, side by side, in one run.
 * Uses a 720p clip from the data folder (argument or ../shared/data) when present, else a generated one.
 * Each mode runs in its own process, 3 times; medians are printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { probeVideo } from '../engine/video/probe.ts';
import { median, printTable } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.argv[2] ?? join(ROOT, '..', 'shared', 'data');
const REPEATS = 3;
type Mode = 'decode' | 'faces' | 'scan';
const FPS = 5;

async function pickVideo(): Promise<string> {
  const candidate = join(dataDir, 'video', 'real', 'ghost_nggyup.mp4');
  if (existsSync(candidate)) return candidate;
  return makeFixtureVideo('long-720p');
}

interface Measurement {
  frames: number;
  scoredFaces: number;
  seconds: number;
  peakRssMb: number;
}

function measure(mode: Mode, video: string): Measurement {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'bench', 'scan-worker.ts'), mode, video, String(FPS)],
    {
      encoding: 'utf8',
      cwd: ROOT,
    },
  );
  return JSON.parse(out.trim().split('\n').at(-1)!) as Measurement;
}

const video = await pickVideo();
const probe = await probeVideo(video);
console.log(`\n## Scan throughput — ${video}`);
console.log(
  `${probe.video.displayWidth}×${probe.video.displayHeight}, ${probe.durationSec.toFixed(1)} s, sampled at ${FPS} fps, ${REPEATS} runs each, medians\n`,
);
const runs: Record<Mode, Measurement[]> = { decode: [], faces: [], scan: [] };
for (let r = 0; r < REPEATS; r++) {
  for (const mode of ['decode', 'faces', 'scan'] as const) runs[mode].push(measure(mode, video));
}
const summarise = (list: Measurement[]) => ({
  frames: list[0]!.frames,
  scoredFaces: list[0]!.scoredFaces,
  seconds: median(list.map((m) => m.seconds)),
  fps: median(list.map((m) => m.frames / m.seconds)),
  rss: median(list.map((m) => m.peakRssMb)),
});
const decode = summarise(runs.decode);
const faces = summarise(runs.faces);
const scan = summarise(runs.scan);
const row = (mode: string, m: ReturnType<typeof summarise>) => ({
  mode,
  frames: m.frames,
  'wall s': m.seconds,
  'frames/s': m.fps,
  'vs decode': m.fps / decode.fps,
  'peak RSS MB': m.rss,
});
printTable([row('decode only', decode), row('decode + faces', faces), row('decode + faces + scores', scan)]);
const scoringSeconds = Math.max(1e-6, scan.seconds - faces.seconds);
console.log(`
faces scored: ${scan.scoredFaces}; scoring adds ${scoringSeconds.toFixed(2)} s → ${(scan.scoredFaces / scoringSeconds).toFixed(1)} faces scored/s`);
console.log(`ratio full-scan time / decode-only time: ${(scan.seconds / decode.seconds).toFixed(2)}`);
console.log(
  `real-time factor of the full scan at ${FPS} sampled fps: ${(probe.durationSec / scan.seconds).toFixed(2)}× (≥ 1 is faster than playback; includes model loading)`,
);
