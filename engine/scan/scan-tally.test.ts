import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timelineGaps } from '../video/timeline-gaps.ts';
import type { ScannedFrame } from './scan-result.ts';
import { ScanTally } from './scan-tally.ts';
import { frameCountsOf } from './verdict-basis.ts';

/** Frames at 5 fps with a hole, two people, and faces that were not judged. */
function frames(): ScannedFrame[] {
  const times = [0.4, 0.6, 0.8, 1, 2.6, 2.8, 3, 3.2];
  const face = (trackId: number, probability: number | null) =>
    ({ trackId, manipulation: { probability } }) as unknown as ScannedFrame['faces'][number];
  return times.map((timeSec, index) => ({
    index,
    timeSec,
    faces: [
      ...(index % 4 === 3 ? [] : [face(1, index === 2 ? null : index / 10)]),
      ...(index >= 5 ? [face(2, 0.9 - index / 100)] : []),
      ...(index === 6 ? [face(3, null)] : []),
    ],
  }));
}

test('the tally, frame by frame, equals what the whole list of frames gives', () => {
  const list = frames();
  const tally = new ScanTally(0, 0.2);
  for (const frame of list) tally.add(frame);

  assert.deepEqual(tally.frameCounts, frameCountsOf(list));
  assert.equal(tally.sampledFrames, list.length);
  assert.equal(
    tally.faces,
    list.reduce((n, f) => n + f.faces.length, 0),
  );
  assert.equal(tally.framesWithFaces, list.filter((f) => f.faces.length > 0).length);
  assert.deepEqual(
    tally.gaps,
    timelineGaps(
      list.map((f) => f.timeSec),
      0,
      0.2,
    ),
  );
  assert.equal(tally.gaps.length, 2, 'a late start and a hole');
  for (const trackId of [1, 2, 3]) {
    const judged = list.flatMap((f) =>
      f.faces
        .filter((face) => face.trackId === trackId && face.manipulation.probability !== null)
        .map((face) => ({ timeSec: f.timeSec, probability: face.manipulation.probability })),
    );
    assert.deepEqual(tally.perTrack.get(trackId) ?? [], judged, `person ${trackId}`);
  }
  assert.equal(tally.perTrack.has(3), false, 'a person never judged has no probabilities');
});
