/** A real scan of a fixture video, made once per process and kind, for tests of what consumes scans. */
import { DEFAULT_SCAN_OPTIONS, scanVideo } from '../scan/scan-video.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import { makeFixtureVideo, type FixtureKind } from './fixtures.ts';

const scans = new Map<FixtureKind, Promise<ScanResult>>();

/** Scans `kind` at 5 fps (at most 10 frames), keeping every scored face's heatmap. Returns a fresh copy, as
 * it would be read back from JSON. */
export async function scannedFixture(kind: FixtureKind): Promise<ScanResult> {
  let scan = scans.get(kind);
  if (!scan) {
    scan = makeFixtureVideo(kind).then((video) =>
      scanVideo(video, {
        ...DEFAULT_SCAN_OPTIONS,
        sampling: { fps: 5, maxFrames: 10 },
        heatmapThreshold: 0,
      }),
    );
    scans.set(kind, scan);
  }
  return JSON.parse(JSON.stringify(await scan)) as ScanResult;
}
