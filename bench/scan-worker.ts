/**
 * One benchmark measurement in a fresh process (so peak RSS belongs to one mode only). Prints one JSON line.
 * Usage: tsx bench/scan-worker.ts <decode|faces|scan> <video> <fps> [detector dir]
 * (decode: frames only; faces: + face detection and tracking; scan: + the manipulation detector, the shipped one
 * or the model in [detector dir])
 */
import { scanVideo, DEFAULT_SCAN_OPTIONS } from '../engine/scan/scan-video.ts';
import { streamFrames } from '../engine/video/decode.ts';
import { probeVideo } from '../engine/video/probe.ts';

const [mode, video, fpsText, detectorDir] = process.argv.slice(2);
if (!mode || !video || !fpsText) throw new Error('usage: scan-worker <decode|faces|scan> <video> <fps>');
const sampling = { fps: Number(fpsText) };

const started = performance.now();
let frames = 0;
let scoredFaces = 0;
if (mode === 'decode') {
  const probe = await probeVideo(video);
  for await (const _frame of streamFrames(video, probe, sampling)) frames++;
} else if (mode === 'faces' || mode === 'scan') {
  const result = await scanVideo(video, {
    ...DEFAULT_SCAN_OPTIONS,
    sampling,
    includeLandmarks: false,
    scoreFaces: mode === 'scan',
    detector: detectorDir ? { modelDir: detectorDir } : {},
  });
  frames = result.frames.length;
  scoredFaces = result.frames.reduce(
    (n, f) => n + f.faces.filter((x) => x.manipulation.status === 'scored').length,
    0,
  );
} else {
  throw new Error(`unknown mode ${mode}`);
}
const seconds = (performance.now() - started) / 1000;
process.stdout.write(
  `${JSON.stringify({ mode, frames, scoredFaces, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
);
