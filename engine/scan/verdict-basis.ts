/** What a scan's verdict rests on, and so its caveats (the sentences are in engine/detect/verdict.ts). Pure. */
import { verdictCaveats, type DecodeDamage, type VerdictBasis } from '../detect/verdict.ts';
import type { VideoProbe } from '../video/probe.ts';

/** The parts of a scan the caveats read (a scan file of any age has them). */
export interface ScanBasisFacts {
  probe: unknown;
  frames: ReadonlyArray<{ faces: ReadonlyArray<{ manipulation: { probability: number | null } }> }>;
  tracks: ReadonlyArray<{ id: number; scoredFrames: number }>;
  verdict: { decidingTrackId: number | null };
  /** Present when the input was damaged (scans from before it was recorded have none). */
  damage?: DecodeDamage | undefined;
}

/**
 * Bits per pixel of the video: its bit rate over width × height × frame rate. Probes from before the video
 * stream's own bit rate was kept fall back to the container's, which also counts the audio and so overstates it.
 */
export function bitsPerPixel(probe: unknown): number | null {
  const { bitRate, video } = (probe ?? {}) as Partial<VideoProbe>;
  const rate = video?.bitRate ?? bitRate ?? null;
  const pixelsPerSecond = (video?.displayWidth ?? 0) * (video?.displayHeight ?? 0) * (video?.avgFps ?? 0);
  return rate && pixelsPerSecond > 0 ? rate / pixelsPerSecond : null;
}

/** How many frames were sampled, and in how many at least one face was judged. */
export interface FrameCounts {
  sampledFrames: number;
  judgedFrames: number;
}

export function frameCountsOf(frames: ScanBasisFacts['frames']): FrameCounts {
  return {
    sampledFrames: frames.length,
    judgedFrames: frames.filter((f) => f.faces.some((face) => face.manipulation.probability !== null)).length,
  };
}

/** The basis from frame counts, for a scan whose frames are not in memory (they stream to a FrameLog). */
export function verdictBasisFromCounts(
  scan: Omit<ScanBasisFacts, 'frames'>,
  { sampledFrames, judgedFrames }: FrameCounts,
): VerdictBasis {
  const deciding = scan.tracks.find((t) => t.id === scan.verdict.decidingTrackId);
  return {
    damage: scan.damage ? { decodeErrors: scan.damage.decodeErrors, missing: scan.damage.missing } : null,
    sampledFrames,
    judgedFrames,
    decidingTrackId: deciding?.id ?? null,
    decidingFrames: deciding?.scoredFrames ?? null,
    bitsPerPixel: bitsPerPixel(scan.probe),
  };
}

export const verdictBasisOf = (scan: ScanBasisFacts): VerdictBasis =>
  verdictBasisFromCounts(scan, frameCountsOf(scan.frames));

export const scanCaveats = (scan: ScanBasisFacts): string[] => verdictCaveats(verdictBasisOf(scan));
