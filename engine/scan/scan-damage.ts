/**
 * What a scan says about a damaged input. ffmpeg decodes past damaged data (it skips or conceals it), so a scan
 * of such a file finishes; Unmask keeps its results but says, in the scan, the UI and the report, how many errors
 * there were and which time ranges could not be analysed: a verdict must not read as covering frames nobody
 * saw. Pure.
 */
import type { TimeRange } from '../video/timeline-gaps.ts';
import type { ScanDamage } from './scan-result.ts';

/** How many of ffmpeg's messages a scan keeps verbatim. */
export const KEPT_DECODE_ERRORS = 5;

const seconds = (t: number) => `${t.toFixed(1)} s`;

/** The damage record of a scan, or undefined for an intact decode. */
export function scanDamage(
  decodeErrors: number,
  firstErrors: readonly string[],
  missing: readonly TimeRange[],
): ScanDamage | undefined {
  if (decodeErrors === 0 && missing.length === 0) return undefined;
  const round = (t: number) => Math.round(t * 1000) / 1000;
  const ranges = missing.map((r) => `from ${seconds(r.fromSec)} to ${seconds(r.toSec)}`);
  const errors = `ffmpeg reported ${decodeErrors} decode error${decodeErrors === 1 ? '' : 's'}`;
  const holes = `no frame could be decoded ${ranges.join(', ')}`;
  const caveat =
    decodeErrors > 0
      ? `The file is damaged: ${errors}${missing.length ? ` and ${holes}; those parts were not analysed` : '; some frames may be partly guessed by the decoder'}. The verdict covers only what could be decoded.`
      : `Frames are missing: ${holes}; those parts were not analysed. The verdict covers only what could be decoded.`;
  return {
    decodeErrors,
    firstErrors: firstErrors.slice(0, KEPT_DECODE_ERRORS),
    missing: missing.map((r) => ({ fromSec: round(r.fromSec), toSec: round(r.toSec) })),
    caveat,
  };
}
