/**
 * The pictures a report shows for each person's worst frames: the aligned face crop beside its blend-boundary
 * overlay, re-decoded from the input. I/O: reads the video, but only after checking its SHA-256 still matches the
 * scan, so a report never shows frames of a different file.
 */
import { existsSync } from 'node:fs';
import { detectorMetadataFrom } from '../detect/detector.ts';
import { alignmentTransform, warpAffineRgb, type FaceKeypoints } from '../faces/align.ts';
import { floatFromRgb, resizeImage, rgbFromFloat } from '../imaging/float-image.ts';
import { heatmapOverlay } from '../imaging/heatmap.ts';
import { encodePng } from '../imaging/png.ts';
import { readModelManifest } from '../models/layers-model-io.ts';
import { modelDir } from '../runtime/paths.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import { sha256File } from '../util/files.ts';
import { streamFrames } from '../video/decode.ts';
import { probeVideo } from '../video/probe.ts';
import type { Report } from './report-format.ts';

export interface ReportImages {
  /** PNG data URIs keyed by `${trackId}:${frameIndex}`: crop | overlay side by side, or the crop alone when the
   * scan kept no heatmap for that face (scores under the inconclusive band). */
  faces: Map<string, string>;
  /** Why there are no pictures, when there are none. */
  unavailable: string | null;
}

export const faceImageKey = (trackId: number, frameIndex: number) => `${trackId}:${frameIndex}`;

const pngDataUri = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

export async function collectReportImages(scan: ScanResult, report: Report): Promise<ReportImages> {
  const faces = new Map<string, string>();
  const wanted = report.people.flatMap((p) => p.worstFrames.map((f) => ({ trackId: p.trackId, frame: f })));
  if (wanted.length === 0) return { faces, unavailable: null };
  if (!existsSync(scan.input.path)) {
    return { faces, unavailable: `The input is no longer at ${scan.input.path}; face pictures are omitted.` };
  }
  if ((await sha256File(scan.input.path)) !== scan.input.sha256) {
    return {
      faces,
      unavailable: `The file at ${scan.input.path} has changed since the scan (SHA-256 differs); face pictures are omitted.`,
    };
  }
  const crop = detectorMetadataFrom(await readModelManifest(modelDir('detector'))).crop;
  const probe = await probeVideo(scan.input.path);
  const keypointsOf = new Map<string, FaceKeypoints>();
  for (const frame of scan.frames)
    for (const face of frame.faces)
      keypointsOf.set(faceImageKey(face.trackId, frame.index), face.keypoints as unknown as FaceKeypoints);

  for (const { trackId, frame } of wanted) {
    const keypoints = keypointsOf.get(faceImageKey(trackId, frame.frameIndex));
    if (!keypoints) continue;
    const decoded = await decodeFrameAt(scan.input.path, probe, frame.timeSec);
    if (!decoded) continue;
    // Keypoints are in display pixels; decoded frames may be downscaled.
    const scale = decoded.width / probe.video.displayWidth;
    const scaled = Object.fromEntries(
      Object.entries(keypoints).map(([name, [x, y]]) => [name, [x * scale, y * scale]]),
    ) as unknown as FaceKeypoints;
    const transform = alignmentTransform(scaled, crop.alignedSize, { margin: crop.margin });
    // A picture for people: area resampling, whatever the detector's crops were (the geometry is the same).
    const aligned = floatFromRgb(warpAffineRgb(decoded, transform, crop.alignedSize, 'area'));
    const picture = frame.heatmap
      ? heatmapOverlay(aligned, Float32Array.from(frame.heatmap.values), frame.heatmap.size, 192)
      : rgbFromFloat(resizeImage(aligned, 192, 192));
    faces.set(faceImageKey(trackId, frame.frameIndex), pngDataUri(encodePng(picture)));
  }
  return { faces, unavailable: null };
}

/** The first frame at or after `timeSec` (frame times come from the scan, so this is that exact frame). */
async function decodeFrameAt(path: string, probe: Awaited<ReturnType<typeof probeVideo>>, timeSec: number) {
  const startSec = Math.max(0, timeSec - 0.002);
  for await (const frame of streamFrames(path, probe, { startSec, maxFrames: 1 })) return frame;
  return undefined;
}
