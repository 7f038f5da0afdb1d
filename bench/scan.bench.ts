/**
 * Scan throughput: decode-only vs decode + faces vs the full scan with each detector (the shipped one and every
 * other model in resources/models/detector-*), on the same 60 s 720p clip and sampling, side by side, in one run.
 * The clip is a real 720p clip from the data folder (argument or ../shared/data), looped to 60 s in a temporary
 * file, or a generated one. Each mode runs in its own process, 3 times, interleaved; medians are printed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { loadLayersModel } from '../engine/models/layers-model-io.ts';
import { resolveTool } from '../engine/runtime/ffmpeg.ts';
import { probeVideo } from '../engine/video/probe.ts';
import { median, printTable } from './stats.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dataDir = process.argv[2] ?? join(ROOT, '..', 'shared', 'data');
const REPEATS = 3;
const FPS = 5;
const SECONDS = 60;

/** A 60 s 720p clip: the data folder's 720p singer clip looped (stream copy), else the generated pattern clip. */
async function pickVideo(): Promise<string> {
  const candidate = join(dataDir, 'video', 'real', 'ghost_nggyup.mp4');
  if (!existsSync(candidate)) return makeFixtureVideo('long-720p');
  const looped = join(mkdtempSync(join(tmpdir(), 'unmask-bench-')), 'looped-720p.mp4');
  execFileSync(resolveTool('ffmpeg').path, [
    ...['-hide_banner', '-loglevel', 'error', '-stream_loop', '-1', '-i', candidate],
    ...['-t', String(SECONDS), '-c', 'copy', '-an', looped],
  ]);
  return looped;
}

/**
 * The shipped detector first, then resources/models/detector-* (e.g. the previous version kept for --detector),
 * then any candidate model folders listed in BENCH_DETECTORS (comma-separated), e.g. a freshly trained one.
 */
function detectorDirs(): string[] {
  const models = join(ROOT, 'resources', 'models');
  const shipped = readdirSync(models)
    .filter((name) => name === 'detector' || name.startsWith('detector-'))
    .sort((a, b) => (a === 'detector' ? -1 : b === 'detector' ? 1 : a.localeCompare(b)))
    .map((name) => join(models, name));
  const candidates = (process.env['BENCH_DETECTORS'] ?? '')
    .split(',')
    .filter(Boolean)
    .map((dir) => resolve(dir));
  return [...shipped, ...candidates];
}

interface Measurement {
  frames: number;
  scoredFaces: number;
  seconds: number;
  peakRssMb: number;
}

function measure(mode: string, video: string, detector?: string): Measurement {
  const out = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench', 'scan-worker.ts'),
      mode,
      video,
      String(FPS),
      ...(detector ? [detector] : []),
    ],
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
const detectors = await Promise.all(
  detectorDirs().map(async (dir) => {
    const { manifest } = await loadLayersModel(dir);
    const meta = manifest.metadata as {
      name?: string;
      version?: string;
      architecture?: { backbone?: string; inputSize?: number };
    };
    return {
      dir,
      label: `${meta.name ?? 'detector'} ${meta.version ?? ''} (${meta.architecture?.backbone ?? 'plain'}, ${meta.architecture?.inputSize ?? '?'} px)`,
    };
  }),
);
const runs = {
  decode: [] as Measurement[],
  faces: [] as Measurement[],
  scans: detectors.map(() => [] as Measurement[]),
};
for (let r = 0; r < REPEATS; r++) {
  runs.decode.push(measure('decode', video));
  runs.faces.push(measure('faces', video));
  detectors.forEach((d, i) => runs.scans[i]!.push(measure('scan', video, d.dir)));
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
const scans = runs.scans.map(summarise);
const row = (mode: string, m: ReturnType<typeof summarise>) => ({
  mode,
  frames: m.frames,
  'wall s': m.seconds,
  'frames/s': m.fps,
  'vs decode': m.fps / decode.fps,
  'peak RSS MB': m.rss,
});
printTable([
  row('decode only', decode),
  row('decode + faces', faces),
  ...scans.map((m, i) => row(`full scan, ${detectors[i]!.label}`, m)),
]);
console.log('');
printTable(
  scans.map((m, i) => {
    // The detector's share is a difference of two medians; under 5 % of the face pass it is run-to-run noise.
    const scoringSeconds = m.seconds - faces.seconds;
    return {
      detector: detectors[i]!.label,
      'faces scored': m.scoredFaces,
      'faces scored/s':
        scoringSeconds > 0.05 * faces.seconds ? m.scoredFaces / scoringSeconds : 'n/a (within noise)',
      'full scan ÷ decode-only': m.seconds / decode.seconds,
      'real-time factor': probe.durationSec / m.seconds,
    };
  }),
);
console.log(
  `\nfaces scored/s: scored faces ÷ (full-scan time − decode+faces time); real-time factor: clip duration ÷ full-scan time at ${FPS} sampled fps (≥ 1 is faster than playback; includes model loading).`,
);
