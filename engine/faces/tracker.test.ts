import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FaceBox } from './box.ts';
import { iou } from './box.ts';
import { assignMinCost } from './hungarian.ts';
import { FaceTracker } from './tracker.ts';

const box = (x: number, y: number, size = 80): { box: FaceBox } => ({
  box: { x, y, width: size, height: size },
});

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('assignMinCost finds the optimum (checked against brute force)', () => {
  assert.deepEqual(
    assignMinCost([
      [4, 1, 3],
      [2, 0, 5],
      [3, 2, 2],
    ]),
    [1, 0, 2],
  );
  assert.deepEqual(assignMinCost([]), []);
  assert.deepEqual(assignMinCost([[], []]), [-1, -1]);
  const rand = lcg(3);
  const permutations = (n: number, k: number): number[][] =>
    k === 0
      ? [[]]
      : permutations(n, k - 1).flatMap((p) =>
          [...Array(n).keys()].filter((j) => !p.includes(j)).map((j) => [...p, j]),
        );
  for (let trial = 0; trial < 60; trial++) {
    const rows = 1 + Math.floor(rand() * 5);
    const cols = 1 + Math.floor(rand() * 5);
    const cost = Array.from({ length: rows }, () =>
      Array.from({ length: cols }, () => Math.round(rand() * 20)),
    );
    const result = assignMinCost(cost);
    const total = (a: number[]) => a.reduce((s, c, r) => s + (c >= 0 ? cost[r]![c]! : 0), 0);
    let best = Infinity;
    if (rows <= cols) for (const p of permutations(cols, rows)) best = Math.min(best, total(p));
    else {
      for (const p of permutations(rows, cols)) {
        const byRow = new Array<number>(rows).fill(-1);
        p.forEach((r, c) => (byRow[r] = c));
        best = Math.min(best, total(byRow));
      }
    }
    assert.equal(result.filter((c) => c >= 0).length, Math.min(rows, cols));
    assert.equal(new Set(result.filter((c) => c >= 0)).size, Math.min(rows, cols));
    assert.equal(total(result), best, JSON.stringify(cost));
  }
});

test('iou of boxes', () => {
  assert.equal(iou(box(0, 0, 10).box, box(0, 0, 10).box), 1);
  assert.equal(iou(box(0, 0, 10).box, box(10, 0, 10).box), 0);
  assert.equal(iou(box(0, 0, 10).box, box(5, 0, 10).box), 50 / 150);
});

/** Two faces on the same line crossing at 100 px/s, 10 fps; only their motion tells them apart when they overlap. */
function crossing(): Array<{ t: number; a: { box: FaceBox }; b: { box: FaceBox } }> {
  return Array.from({ length: 41 }, (_, i) => {
    const t = i / 10;
    return { t, a: box(100 + 100 * t, 100), b: box(505 - 100 * t, 100) };
  });
}

test('two faces crossing slowly keep their ids', () => {
  const tracker = new FaceTracker();
  const idsA: number[] = [];
  const idsB: number[] = [];
  for (const [i, f] of crossing().entries()) {
    if (i % 2 === 0) {
      const [a, b] = tracker.update(f.t, [f.a, f.b]);
      idsA.push(a!);
      idsB.push(b!);
    } else {
      const [b, a] = tracker.update(f.t, [f.b, f.a]);
      idsA.push(a!);
      idsB.push(b!);
    }
  }
  assert.deepEqual(new Set(idsA), new Set([1]));
  assert.deepEqual(new Set(idsB), new Set([2]));
  assert.equal(tracker.tracks().length, 2);
  assert.deepEqual(
    tracker.tracks().map((t) => [t.id, t.count, t.firstTime, t.lastTime]),
    [
      [1, 41, 0, 4],
      [2, 41, 0, 4],
    ],
  );
});

test('a gap shorter than the limit keeps the id; a longer one starts a new track', () => {
  const tracker = new FaceTracker({ maxGapSec: 2 });
  for (let i = 0; i <= 10; i++) assert.deepEqual(tracker.update(i / 10, [box(200 + i, 150)]), [1]);
  for (let i = 11; i < 25; i++) assert.deepEqual(tracker.update(i / 10, []), []);
  // Back after 1.5 s, a little further along.
  assert.deepEqual(tracker.update(2.5, [box(225, 152)]), [1]);
  // Gone for 3 s: a new track, even at the same place.
  assert.deepEqual(tracker.update(5.5, [box(225, 152)]), [2]);
  assert.deepEqual(
    tracker.tracks().map((t) => [t.id, t.firstTime, t.lastTime, t.count]),
    [
      [1, 0, 2.5, 12],
      [2, 5.5, 5.5, 1],
    ],
  );
  assert.deepEqual(tracker.liveTrackIds(), [2]);
});

test('a face appearing mid-way gets a new id and the existing one keeps its own', () => {
  const tracker = new FaceTracker();
  for (let i = 0; i < 10; i++) assert.deepEqual(tracker.update(i * 0.2, [box(300, 100)]), [1]);
  assert.deepEqual(tracker.update(2, [box(40, 90, 60), box(302, 101)]), [2, 1]);
  assert.deepEqual(tracker.update(2.2, [box(303, 100), box(45, 92, 60)]), [1, 2]);
  // A box far from every track is a new face, not a jump of an old one.
  assert.deepEqual(tracker.update(2.4, [box(303, 100), box(45, 92, 60), box(600, 300, 70)]), [1, 2, 3]);
});

test('new tracks are numbered left to right, whatever the detector order', () => {
  const tracker = new FaceTracker();
  assert.deepEqual(tracker.update(0, [box(400, 50), box(100, 60), box(250, 55)]), [3, 1, 2]);
});

test('tracking is deterministic and independent of detection order', () => {
  const run = (shuffleSeed: number) => {
    const rand = lcg(shuffleSeed);
    const tracker = new FaceTracker();
    const out: Array<[number, number, number]> = [];
    for (const f of crossing()) {
      const faces = [f.a, f.b, box(300, 400, 60)];
      const order = faces.map((_, i) => i).sort(() => rand() - 0.5);
      const ids = tracker.update(
        f.t,
        order.map((i) => faces[i]!),
      );
      const byFace = [0, 0, 0];
      order.forEach((faceIndex, k) => (byFace[faceIndex] = ids[k]!));
      out.push(byFace as [number, number, number]);
    }
    return { out, tracks: tracker.tracks() };
  };
  const first = run(1);
  assert.deepEqual(run(1), first);
  assert.deepEqual(run(99), first);
  assert.deepEqual(first.out[0], [1, 3, 2]);
  assert.ok(first.out.every((ids) => ids[0] === 1 && ids[1] === 3 && ids[2] === 2));
});

test('time must not go backwards; options are validated', () => {
  const tracker = new FaceTracker();
  tracker.update(1, [box(0, 0)]);
  assert.throws(() => tracker.update(0.5, []), RangeError);
  assert.throws(() => new FaceTracker({ maxScaleChange: 1 }), RangeError);
});
