import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VFR_FIXTURE_TIMES } from '../testing/fixtures.ts';
import { gapThresholdSec, samplingIntervalSec, timelineGaps } from './timeline-gaps.ts';

const at5fps = (from: number, to: number) =>
  Array.from({ length: Math.round((to - from) * 5) }, (_, i) => from + i / 5);

test('the sampling interval follows the rate, every Nth frame, or the source', () => {
  assert.equal(samplingIntervalSec({ fps: 5 }, 25), 0.2);
  assert.equal(samplingIntervalSec({ fps: 5 }, 2), 0.5, 'a source slower than the rate gives all its frames');
  assert.equal(samplingIntervalSec({ everyNth: 10 }, 25), 0.4);
  assert.equal(samplingIntervalSec({}, 25), 0.04);
  assert.equal(samplingIntervalSec({}, null), 0);
});

test('a hole left by damaged data is found; an intact timeline has none', () => {
  assert.deepEqual(timelineGaps(at5fps(0, 15), 0, 0.2), []);
  // The probe's repro: frames from 7.8 s to 9.43 s could not be decoded.
  const damaged = [...at5fps(0, 7.8), 9.43, ...at5fps(9.6, 15)];
  assert.deepEqual(timelineGaps(damaged, 0, 0.2), [{ fromSec: 7.6, toSec: 9.43 }]);
  assert.deepEqual(timelineGaps(at5fps(3, 6), 0, 0.2), [{ fromSec: 0, toSec: 3 }], 'a late first frame');
  assert.deepEqual(timelineGaps(at5fps(2, 6), 2, 0.2), [], 'a window that starts at 2 s');
  assert.deepEqual(timelineGaps([], 0, 0.2), []);
});

test('variable frame rates stay inside the threshold', () => {
  const avgFps = VFR_FIXTURE_TIMES.length / 3;
  assert.deepEqual(timelineGaps(VFR_FIXTURE_TIMES, 0, samplingIntervalSec({}, avgFps)), []);
  assert.ok(gapThresholdSec(0.04) >= 0.29);
});
