/**
 * Face pictures re-decoded from the input: the aligned face crop beside its blend-boundary overlay
 * (engine/imaging/heatmap.ts, the one renderer of maps). Reports use them only after checking the file's SHA-256
 * still matches the scan, so a report never shows frames of a different file; the app asks for one at a time.
 * I/O: reads the video and the detector's manifest.
 */
import { existsSync } from 'node:fs';
import { detectorMetadataFrom } from '../detect/detector.ts';
import { alignmentTransform, warpAffineRgb, type FaceKeypoints } from '../faces/align.ts';
import { outlineBox, type PixelBox } from '../imaging/box-outline.ts';
import { floatFromRgb, resizeImage, rgbFromFloat } from '../imaging/float-image.ts';
import { heatmapPanel, type MapRange } from '../imaging/heatmap.ts';
import { encodePng } from '../imaging/png.ts';
import { downscaleRgb } from '../imaging/resize-rgb.ts';
import { readModelManifest } from '../models/layers-model-io.ts';
import { modelDir } from '../runtime/paths.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256File } from '../util/files.ts';
import { streamFrames } from '../video/decode.ts';
import type { RgbFrame } from '../video/frame.ts';
import { probeVideo, type VideoProbe } from '../video/probe.ts';
import type { Report } from './report-format.ts';

export interface ReportImages {
  /** PNG data URIs keyed by `${trackId}:${frameIndex}`: crop | overlay side by side, or the crop alone when the
   * scan kept no heatmap for that face (scores under the inconclusive band). */
  faces: Map<string, string>;
  /** The whole frame, small, with that face boxed: where in the picture the face is. Same keys as `faces`. */
  contexts: Map<string, string>;
  /** Why there are no pictures, when there are none. */
  unavailable: string | null;
}

export const faceImageKey = (trackId: number, frameIndex: number) => `${trackId}:${frameIndex}`;

const pngDataUri = (bytes: Uint8Array) => `data:image/png;base64,${Buffer.from(bytes).toString('base64')}`;

/** Crop | overlay (and colour bar) as a PNG data URI, with the map's range; the crop alone when there is no map. */
export interface FacePicture {
  url: string;
  /** The map's lowest and highest cell; null when the scan kept no map for this face. */
  range: MapRange | null;
  /** With `contextWidth`: the whole frame at that width, the face boxed. */
  context?: string;
}

/** The context picture's box: yellow, as the boxes the app draws on flagged faces are bright. */
const CONTEXT_BOX_RGB = [250, 204, 21] as const;

/** Draws faces of one scan from its input, decoding each sampled frame once. */
export class FacePictures {
  private constructor(
    private readonly scan: ScanResult,
    private readonly probe: VideoProbe,
    private readonly crop: { alignedSize: number; margin: number },
  ) {}

  /** For the input at the scan's path; it must still be the same size (reports also check its SHA-256). */
  static async open(scan: ScanResult): Promise<FacePictures> {
    if (!existsSync(scan.input.path))
      throw new UnmaskError('inputNotFound', `The input is no longer at ${scan.input.path}.`);
    const probe = await probeVideo(scan.input.path);
    if (probe.sizeBytes !== scan.input.sizeBytes)
      throw new UnmaskError('inputNotFound', `The file at ${scan.input.path} has changed since the scan.`);
    const crop = detectorMetadataFrom(await readModelManifest(modelDir('detector'))).crop;
    return new FacePictures(scan, probe, crop);
  }

  /**
   * Person `trackId` in sampled frame `frameIndex`, at `size`² per half (and, with `contextWidth`, the whole
   * frame with the face boxed); null when the scan has no such face.
   */
  async draw(
    trackId: number,
    frameIndex: number,
    size = 192,
    contextWidth?: number,
  ): Promise<FacePicture | null> {
    const frame = this.scan.frames.find((f) => f.index === frameIndex);
    const face = frame?.faces.find((f) => f.trackId === trackId);
    if (!frame || !face) return null;
    const decoded = await decodeFrameAt(this.scan.input.path, this.probe, frame.timeSec);
    if (!decoded) return null;
    // Keypoints are in display pixels; decoded frames may be downscaled.
    const scale = decoded.width / this.probe.video.displayWidth;
    const keypoints = Object.fromEntries(
      Object.entries(face.keypoints).map(([name, [x, y]]) => [name, [x * scale, y * scale]]),
    ) as unknown as FaceKeypoints;
    const transform = alignmentTransform(keypoints, this.crop.alignedSize, { margin: this.crop.margin });
    // A picture for people: area resampling, whatever the detector's crops were (the geometry is the same).
    const aligned = floatFromRgb(warpAffineRgb(decoded, transform, this.crop.alignedSize, 'area'));
    const context = contextWidth ? { context: contextPicture(decoded, face.box, scale, contextWidth) } : {};
    const map = face.manipulation.heatmap;
    if (!map)
      return {
        url: pngDataUri(encodePng(rgbFromFloat(resizeImage(aligned, size, size)))),
        range: null,
        ...context,
      };
    const mapSize = Math.round(Math.sqrt(map.length));
    const panel = heatmapPanel(aligned, map, mapSize, size);
    return { url: pngDataUri(encodePng(panel.picture)), range: panel.range, ...context };
  }
}

/** The decoded frame at `width` px (never enlarged), with the face's box (display px × `scale`) outlined. */
function contextPicture(decoded: RgbFrame, box: PixelBox, scale: number, width: number): string {
  const small = downscaleRgb(decoded, Math.round(width * Math.max(1, decoded.height / decoded.width)));
  const k = scale * small.scale;
  const boxed = outlineBox(
    small.frame,
    { x: box.x * k, y: box.y * k, width: box.width * k, height: box.height * k },
    CONTEXT_BOX_RGB,
  );
  return pngDataUri(encodePng(boxed));
}

/** Context pictures in reports: wide enough to see the scene, small enough for three per row. */
const CONTEXT_WIDTH = 320;

export async function collectReportImages(scan: ScanResult, report: Report): Promise<ReportImages> {
  const faces = new Map<string, string>();
  const contexts = new Map<string, string>();
  const wanted = report.people.flatMap((p) => p.worstFrames.map((f) => ({ trackId: p.trackId, frame: f })));
  if (wanted.length === 0) return { faces, contexts, unavailable: null };
  if (!existsSync(scan.input.path)) {
    return {
      faces,
      contexts,
      unavailable: `The input is no longer at ${scan.input.path}; face pictures are omitted.`,
    };
  }
  if ((await sha256File(scan.input.path)) !== scan.input.sha256) {
    return {
      faces,
      contexts,
      unavailable: `The file at ${scan.input.path} has changed since the scan (SHA-256 differs); face pictures are omitted.`,
    };
  }
  const pictures = await FacePictures.open(scan);
  for (const { trackId, frame } of wanted) {
    const picture = await pictures.draw(trackId, frame.frameIndex, 192, CONTEXT_WIDTH);
    if (!picture) continue;
    faces.set(faceImageKey(trackId, frame.frameIndex), picture.url);
    if (picture.context) contexts.set(faceImageKey(trackId, frame.frameIndex), picture.context);
  }
  return { faces, contexts, unavailable: null };
}

/** The first frame at or after `timeSec` (frame times come from the scan, so this is that exact frame). */
async function decodeFrameAt(path: string, probe: VideoProbe, timeSec: number) {
  const startSec = Math.max(0, timeSec - 0.002);
  for await (const frame of streamFrames(path, probe, { startSec, maxFrames: 1 })) return frame;
  return undefined;
}
