/**
 * Gaps in a sampled timeline: where decoding skipped over damaged data, the frames on either side of the hole
 * are further apart than the sampling allows. Pure.
 */
import type { FrameSampling } from './decode.ts';

export interface TimeRange {
  fromSec: number;
  toSec: number;
}

/**
 * Time between two sampled frames of an intact file: 1/fps (or the source's frame time, if slower) when
 * sampling by rate, N source frames for every Nth, one source frame otherwise. `sourceFps` is the average rate.
 */
export function samplingIntervalSec(sampling: FrameSampling, sourceFps: number | null): number {
  const sourceInterval = sourceFps && sourceFps > 0 ? 1 / sourceFps : 0;
  if (sampling.fps !== undefined) return Math.max(1 / sampling.fps, sourceInterval);
  if (sampling.everyNth !== undefined) return sampling.everyNth * sourceInterval;
  return sourceInterval;
}

/**
 * The longest step between sampled frames that still counts as intact: 2.5 intervals, and at least a quarter of
 * a second more than one (variable-frame-rate sources and rounding stay well inside it).
 */
export function gapThresholdSec(intervalSec: number): number {
  return Math.max(2.5 * intervalSec, intervalSec + 0.25);
}

/**
 * Time ranges with no sampled frame although the sampling expected some: between two frames further apart than
 * the threshold, and before the first frame when it comes late. `times` are ascending, in seconds.
 */
export function timelineGaps(times: readonly number[], startSec: number, intervalSec: number): TimeRange[] {
  const threshold = gapThresholdSec(intervalSec);
  const gaps: TimeRange[] = [];
  let previous = startSec;
  for (const [i, time] of times.entries()) {
    // The first frame may come up to one interval after the start (its 1/fps bucket) plus the threshold's slack.
    const allowed = i === 0 ? threshold - intervalSec : threshold;
    if (time - previous > allowed) gaps.push({ fromSec: previous, toSec: time });
    previous = time;
  }
  return gaps;
}
