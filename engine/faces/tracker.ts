/**
 * Assigns stable track ids to per-frame face boxes across sampled frames (pure maths, no I/O).
 *
 * Each update predicts every live track's box at the new time (constant velocity of the box centre, smoothed,
 * extrapolated for at most `maxPredictionSec`; size kept), then solves a minimum-cost assignment (Hungarian)
 * between live tracks and detections. A pair is allowed only if the detection's centre lies within
 * `maxCenterDistance` face sizes of the prediction and the size ratio is within `maxScaleChange`; its cost is
 * (1 − IoU) + normalised centre distance + normalised log size ratio. Unmatched detections open new tracks.
 * A track unseen for more than `maxGapSec` is closed for good: a face that comes back later gets a new id (no
 * appearance-based re-identification). Ids are 1, 2, 3… in order of first appearance; new tracks opened in the
 * same frame are numbered left to right (then top to bottom), so ids do not depend on detector output order.
 */
import { assignMinCost } from './hungarian.ts';
import { boxCenter, iou, type FaceBox } from './box.ts';

export interface FaceTrackerOptions {
  /** A track survives gaps up to this long (seconds). Default 2. */
  maxGapSec: number;
  /** Gate: centre distance / sqrt(predicted area). Default 1. */
  maxCenterDistance: number;
  /** Gate: max ratio between sqrt(areas) of detection and prediction. Default 2. */
  maxScaleChange: number;
  /** Weight of the newest velocity sample (exponential smoothing). Default 0.6. */
  velocitySmoothing: number;
  /** Prediction extrapolates at most this long (seconds). Default 0.5. */
  maxPredictionSec: number;
}

export const DEFAULT_TRACKER_OPTIONS: Readonly<FaceTrackerOptions> = {
  maxGapSec: 2,
  maxCenterDistance: 1,
  maxScaleChange: 2,
  velocitySmoothing: 0.6,
  maxPredictionSec: 0.5,
};

export interface TrackSummary {
  id: number;
  firstTime: number;
  lastTime: number;
  /** Number of frames the face was detected in. */
  count: number;
  lastBox: FaceBox;
}

interface Track {
  id: number;
  firstTime: number;
  lastTime: number;
  count: number;
  box: FaceBox;
  /** Centre velocity, pixels per second. */
  vx: number;
  vy: number;
}

/** Beyond any feasible cost: marks pairs the gates forbid. */
const FORBIDDEN = 1e9;

export class FaceTracker {
  readonly options: Readonly<FaceTrackerOptions>;
  #live: Track[] = [];
  #closed: Track[] = [];
  #nextId = 1;
  #lastTime = -Infinity;

  constructor(options: Partial<FaceTrackerOptions> = {}) {
    this.options = { ...DEFAULT_TRACKER_OPTIONS, ...options };
    const o = this.options;
    if (!(o.maxGapSec >= 0)) throw new RangeError('maxGapSec must be >= 0');
    if (!(o.maxCenterDistance > 0)) throw new RangeError('maxCenterDistance must be > 0');
    if (!(o.maxScaleChange > 1)) throw new RangeError('maxScaleChange must be > 1');
    if (!(o.velocitySmoothing > 0 && o.velocitySmoothing <= 1)) {
      throw new RangeError('velocitySmoothing must be in (0, 1]');
    }
    if (!(o.maxPredictionSec >= 0)) throw new RangeError('maxPredictionSec must be >= 0');
  }

  /** Box a live track is expected at, at `timeSec`. */
  #predict(track: Track, timeSec: number): FaceBox {
    const dt = Math.min(Math.max(timeSec - track.lastTime, 0), this.options.maxPredictionSec);
    return { ...track.box, x: track.box.x + track.vx * dt, y: track.box.y + track.vy * dt };
  }

  #cost(predicted: FaceBox, box: FaceBox): number {
    const { maxCenterDistance, maxScaleChange } = this.options;
    const size = Math.sqrt(Math.max(predicted.width * predicted.height, 1e-9));
    const detSize = Math.sqrt(Math.max(box.width * box.height, 1e-9));
    const [px, py] = boxCenter(predicted);
    const [dx, dy] = boxCenter(box);
    const distance = Math.hypot(dx - px, dy - py) / size;
    const logScale = Math.abs(Math.log(detSize / size));
    if (distance > maxCenterDistance || logScale > Math.log(maxScaleChange)) return FORBIDDEN;
    return 1 - iou(predicted, box) + distance / maxCenterDistance + logScale / Math.log(maxScaleChange);
  }

  /** Registers the faces seen at `timeSec` (non-decreasing) and returns each one's track id, in input order. */
  update(timeSec: number, faces: ReadonlyArray<{ box: FaceBox }>): number[] {
    if (!Number.isFinite(timeSec)) throw new RangeError('timeSec must be finite');
    if (timeSec < this.#lastTime) {
      throw new RangeError(`timeSec went backwards (${timeSec} < ${this.#lastTime})`);
    }
    this.#lastTime = timeSec;

    // Close tracks whose gap has grown too long.
    const stillLive: Track[] = [];
    for (const t of this.#live)
      (timeSec - t.lastTime > this.options.maxGapSec ? this.#closed : stillLive).push(t);
    this.#live = stillLive;

    const ids = new Array<number>(faces.length).fill(0);
    const cost = this.#live.map((track) => {
      const predicted = this.#predict(track, timeSec);
      return faces.map((f) => this.#cost(predicted, f.box));
    });
    const assignment = assignMinCost(cost);
    const matched = new Set<number>();
    assignment.forEach((col, row) => {
      if (col < 0 || cost[row]![col]! >= FORBIDDEN) return;
      const track = this.#live[row]!;
      this.#observe(track, timeSec, faces[col]!.box);
      ids[col] = track.id;
      matched.add(col);
    });

    const fresh = faces
      .map((f, i) => ({ i, box: f.box }))
      .filter(({ i }) => !matched.has(i))
      .sort((a, b) => a.box.x - b.box.x || a.box.y - b.box.y || a.i - b.i);
    for (const { i, box } of fresh) {
      const track: Track = {
        id: this.#nextId++,
        firstTime: timeSec,
        lastTime: timeSec,
        count: 1,
        box: { ...box },
        vx: 0,
        vy: 0,
      };
      this.#live.push(track);
      ids[i] = track.id;
    }
    this.#live.sort((a, b) => a.id - b.id);
    return ids;
  }

  #observe(track: Track, timeSec: number, box: FaceBox): void {
    const dt = timeSec - track.lastTime;
    if (dt > 0) {
      const [ox, oy] = boxCenter(track.box);
      const [nx, ny] = boxCenter(box);
      const a = track.count === 1 ? 1 : this.options.velocitySmoothing;
      track.vx = a * ((nx - ox) / dt) + (1 - a) * track.vx;
      track.vy = a * ((ny - oy) / dt) + (1 - a) * track.vy;
    }
    track.box = { ...box };
    track.lastTime = timeSec;
    track.count++;
  }

  /** Every track so far (live and closed), ordered by id. */
  tracks(): TrackSummary[] {
    return [...this.#closed, ...this.#live]
      .sort((a, b) => a.id - b.id)
      .map((t) => ({
        id: t.id,
        firstTime: t.firstTime,
        lastTime: t.lastTime,
        count: t.count,
        lastBox: { ...t.box },
      }));
  }

  /** Ids of tracks that can still be continued at `timeSec`. */
  liveTrackIds(timeSec: number = this.#lastTime): number[] {
    return this.#live.filter((t) => timeSec - t.lastTime <= this.options.maxGapSec).map((t) => t.id);
  }
}
