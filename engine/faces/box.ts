/** Axis-aligned face boxes in frame pixels (pure maths, shared by detection and tracking). */

export interface FaceBox {
  /** Left edge, pixels from the frame's left. */
  x: number;
  /** Top edge, pixels from the frame's top. */
  y: number;
  width: number;
  height: number;
}

export function boxArea(b: FaceBox): number {
  return Math.max(0, b.width) * Math.max(0, b.height);
}

export function boxCenter(b: FaceBox): [number, number] {
  return [b.x + b.width / 2, b.y + b.height / 2];
}

/** Intersection over union, 0 when either box is empty. */
export function iou(a: FaceBox, b: FaceBox): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

/** Smallest box holding every point; undefined for no points. */
export function boundingBox(points: ReadonlyArray<readonly [number, number]>): FaceBox | undefined {
  if (points.length === 0) return undefined;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}

/** Clips a box to a width×height frame (may become empty). */
export function clampBox(b: FaceBox, width: number, height: number): FaceBox {
  const x0 = Math.min(Math.max(b.x, 0), width);
  const y0 = Math.min(Math.max(b.y, 0), height);
  const x1 = Math.min(Math.max(b.x + b.width, 0), width);
  const y1 = Math.min(Math.max(b.y + b.height, 0), height);
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}
