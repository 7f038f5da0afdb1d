/** Convex hull and polygon rasterisation, for landmark-hull face masks. */
import { createFloatImage, type FloatImage } from './float-image.ts';

export type Point = readonly [number, number];

/** Andrew's monotone chain; returns the hull counter-clockwise (in y-down image space: clockwise on screen). */
export function convexHull(points: readonly Point[]): Point[] {
  const sorted = points.slice().sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  if (sorted.length <= 2) return sorted;
  const cross = (o: Point, a: Point, b: Point): number =>
    (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: Point[] = [];
  for (const p of sorted) {
    while (lower.length >= 2 && cross(lower.at(-2)!, lower.at(-1)!, p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: Point[] = [];
  for (const p of sorted.slice().reverse()) {
    while (upper.length >= 2 && cross(upper.at(-2)!, upper.at(-1)!, p) <= 0) upper.pop();
    upper.push(p);
  }
  return lower.slice(0, -1).concat(upper.slice(0, -1));
}

/** Even-odd scanline fill sampled at pixel centres: 1 inside the polygon, 0 outside. One channel. */
export function fillPolygon(polygon: readonly Point[], width: number, height: number): FloatImage {
  const mask = createFloatImage(width, height, 1);
  if (polygon.length < 3) return mask;
  for (let y = 0; y < height; y++) {
    const cy = y + 0.5;
    const crossings: number[] = [];
    for (let i = 0; i < polygon.length; i++) {
      const [x0, y0] = polygon[i]!;
      const [x1, y1] = polygon[(i + 1) % polygon.length]!;
      if (y0 <= cy !== y1 <= cy) crossings.push(x0 + ((cy - y0) / (y1 - y0)) * (x1 - x0));
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const start = Math.max(0, Math.ceil(crossings[k]! - 0.5));
      const end = Math.min(width - 1, Math.floor(crossings[k + 1]! - 0.5));
      for (let x = start; x <= end; x++) mask.data[y * width + x] = 1;
    }
  }
  return mask;
}

/** True when point p lies inside or on the convex polygon (either winding). */
export function insideConvex(polygon: readonly Point[], p: Point, tolerance = 1e-9): boolean {
  let sign = 0;
  for (let i = 0; i < polygon.length; i++) {
    const a = polygon[i]!;
    const b = polygon[(i + 1) % polygon.length]!;
    const c = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
    if (Math.abs(c) <= tolerance) continue;
    const s = Math.sign(c);
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}
