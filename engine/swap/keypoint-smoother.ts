/**
 * Temporal smoothing of the alignment keypoints against jitter: a One-Euro filter (Casiez, Roussel & Vogel,
 * CHI 2012) per coordinate. It smooths hard while the face is still and follows quickly when it moves, which is
 * what a swap needs: no wobble when the head is steady, no lag when it turns. The filter restarts after a gap
 * (no face for longer than `resetAfterSec`).
 */
import type { Point } from '../faces/align.ts';

export interface OneEuroOptions {
  /** Cut-off at rest, Hz (lower = smoother). */
  minCutoff: number;
  /** How fast the cut-off grows with speed. */
  beta: number;
  /** Cut-off of the speed estimate, Hz. */
  derivativeCutoff: number;
  resetAfterSec: number;
}

export const DEFAULT_ONE_EURO: OneEuroOptions = {
  minCutoff: 1.5,
  beta: 0.02,
  derivativeCutoff: 1,
  resetAfterSec: 0.5,
};

const alpha = (cutoff: number, dt: number) => 1 / (1 + 1 / (2 * Math.PI * cutoff * dt));

export class KeypointSmoother {
  private last: { time: number; values: number[]; speeds: number[] } | undefined;

  constructor(private readonly options: OneEuroOptions = DEFAULT_ONE_EURO) {}

  reset(): void {
    this.last = undefined;
  }

  smooth(points: readonly Point[], timeSec: number): Point[] {
    const values = points.flatMap((p) => [p[0], p[1]]);
    const last = this.last;
    const dt = last ? timeSec - last.time : 0;
    if (!last || last.values.length !== values.length || dt <= 0 || dt > this.options.resetAfterSec) {
      this.last = { time: timeSec, values, speeds: values.map(() => 0) };
      return points.map((p) => [p[0], p[1]]);
    }
    const { minCutoff, beta, derivativeCutoff } = this.options;
    const out: number[] = [];
    const speeds: number[] = [];
    values.forEach((v, i) => {
      const rawSpeed = (v - last.values[i]!) / dt;
      const aD = alpha(derivativeCutoff, dt);
      const speed = aD * rawSpeed + (1 - aD) * last.speeds[i]!;
      const a = alpha(minCutoff + beta * Math.abs(speed), dt);
      out.push(a * v + (1 - a) * last.values[i]!);
      speeds.push(speed);
    });
    this.last = { time: timeSec, values: out, speeds };
    const result: Point[] = [];
    for (let i = 0; i < out.length; i += 2) result.push([out[i]!, out[i + 1]!]);
    return result;
  }
}
