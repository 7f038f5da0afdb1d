/**
 * What a scan keeps in memory of its frames while they stream to a FrameLog: counts, the timeline's gaps, and each
 * person's judged probabilities (a time and a probability per judged face: the track score is a quantile over all
 * of them, and the timelines draw them). Everything is read from the frame records themselves, so a scan file's
 * summary can be recomputed from its frames. Pure.
 */
import type { TimedProbability } from '../detect/aggregate.ts';
import { TimelineGapFinder, type TimeRange } from '../video/timeline-gaps.ts';
import type { ScannedFrame } from './scan-result.ts';
import type { FrameCounts } from './verdict-basis.ts';

export class ScanTally {
  sampledFrames = 0;
  framesWithFaces = 0;
  faces = 0;
  /** Frames with at least one judged face. */
  judgedFrames = 0;
  /** Each person's judged probabilities, in time order. */
  readonly perTrack = new Map<number, TimedProbability[]>();
  private readonly gapFinder: TimelineGapFinder;

  /** `startSec` and `intervalSec` are the sampling's, as for timelineGaps. */
  constructor(startSec: number, intervalSec: number) {
    this.gapFinder = new TimelineGapFinder(startSec, intervalSec);
  }

  add(frame: ScannedFrame): void {
    this.sampledFrames++;
    this.faces += frame.faces.length;
    if (frame.faces.length > 0) this.framesWithFaces++;
    let judged = false;
    for (const face of frame.faces) {
      const { probability } = face.manipulation;
      if (probability === null) continue;
      judged = true;
      const track = this.perTrack.get(face.trackId) ?? [];
      track.push({ timeSec: frame.timeSec, probability });
      this.perTrack.set(face.trackId, track);
    }
    if (judged) this.judgedFrames++;
    this.gapFinder.add(frame.timeSec);
  }

  /** Time ranges where the sampling expected frames and none came. */
  get gaps(): readonly TimeRange[] {
    return this.gapFinder.gaps;
  }

  get frameCounts(): FrameCounts {
    return { sampledFrames: this.sampledFrames, judgedFrames: this.judgedFrames };
  }
}
