/**
 * What a scan says about a damaged input. ffmpeg decodes past damaged data (it skips or conceals it), so a scan
 * of such a file finishes; Unmask keeps its results but says, in the scan, the UI and the report, how many errors
 * there were and which time ranges could not be analysed: a verdict must not read as covering frames nobody
 * saw. The sentence is worded in engine/detect/verdict.ts, with the verdict's other caveats. Pure.
 */
import { damageCaveat } from '../detect/verdict.ts';
import type { TimeRange } from '../video/timeline-gaps.ts';
import type { ScanDamage } from './scan-result.ts';
import { roundTo } from '../util/round.ts';

/** How many of ffmpeg's messages a scan keeps verbatim. */
export const KEPT_DECODE_ERRORS = 5;

/** The damage record of a scan, or undefined for an intact decode. */
export function scanDamage(
  decodeErrors: number,
  firstErrors: readonly string[],
  missing: readonly TimeRange[],
): ScanDamage | undefined {
  if (decodeErrors === 0 && missing.length === 0) return undefined;
  const kept = missing.map((r) => ({ fromSec: roundTo(r.fromSec, 3), toSec: roundTo(r.toSec, 3) }));
  return {
    decodeErrors,
    firstErrors: firstErrors.slice(0, KEPT_DECODE_ERRORS),
    missing: kept,
    caveat: damageCaveat({ decodeErrors, missing: kept }),
  };
}
