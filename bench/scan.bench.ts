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
const FPS = 5;

async function pickVideo(): Promise<string> {
  const candidate = join(dataDir, 'video', 'real', 'ghost_nggyup.mp4');
  if (existsSync(candidate)) return candidate;
  return makeFixtureVideo('long-720p');
}

interface Measurement {
  frames: number;
  seconds: number;
  peakRssMb: number;
}

function measure(mode: 'decode' | 'scan', video: string): Measurement {
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
const runs: Record<'decode' | 'scan', Measurement[]> = { decode: [], scan: [] };
for (let r = 0; r < REPEATS; r++) {
  runs.decode.push(measure('decode', video));
  runs.scan.push(measure('scan', video));
}
const summarise = (list: Measurement[]) => ({
  frames: list[0]!.frames,
  seconds: median(list.map((m) => m.seconds)),
  fps: median(list.map((m) => m.frames / m.seconds)),
  rss: median(list.map((m) => m.peakRssMb)),
});
const decode = summarise(runs.decode);
const scan = summarise(runs.scan);
printTable([
  {
    mode: 'decode only',
    frames: decode.frames,
    'wall s': decode.seconds,
    'frames/s': decode.fps,
    'peak RSS MB': decode.rss,
  },
  {
    mode: 'decode + faces',
    frames: scan.frames,
    'wall s': scan.seconds,
    'frames/s': scan.fps,
    'peak RSS MB': scan.rss,
  },
]);
console.log(`\nratio decode+faces / decode-only frames/s: ${(scan.fps / decode.fps).toFixed(3)}`);
console.log(
  `real-time factor at ${FPS} sampled fps: ${(probe.durationSec / scan.seconds).toFixed(2)}× (≥ 1 keeps up with playback; includes model load)`,
);
