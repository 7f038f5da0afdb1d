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
 * Finds timeline gaps one frame at a time, so a scan need not keep every frame's time: `add` each sampled time in
 * ascending order, then read `gaps`. Between two frames further apart than the threshold, and before the first
 * frame when it comes late.
 */
export class TimelineGapFinder {
  readonly gaps: TimeRange[] = [];
  private readonly threshold: number;
  private previous: number;
  private first = true;

  constructor(
    startSec: number,
    private readonly intervalSec: number,
  ) {
    this.threshold = gapThresholdSec(intervalSec);
    this.previous = startSec;
  }

  add(timeSec: number): void {
    // The first frame may come up to one interval after the start (its 1/fps bucket) plus the threshold's slack.
    const allowed = this.first ? this.threshold - this.intervalSec : this.threshold;
    if (timeSec - this.previous > allowed) this.gaps.push({ fromSec: this.previous, toSec: timeSec });
    this.previous = timeSec;
    this.first = false;
  }
}

/** The gaps of a whole timeline at once (`times` ascending, in seconds): see TimelineGapFinder. */
export function timelineGaps(times: readonly number[], startSec: number, intervalSec: number): TimeRange[] {
  const finder = new TimelineGapFinder(startSec, intervalSec);
  for (const time of times) finder.add(time);
  return finder.gaps;
}
