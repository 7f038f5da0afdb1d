import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLAG_THRESHOLD, flaggedPeopleOnScreen } from '../detect/verdict.ts';
import type { ScanTrack } from '../scan/scan-result.ts';
import { DEFAULT_SCAN_OPTIONS, scanVideo } from '../scan/scan-video.ts';
import { makeBlendedFixtureVideo, makeSpikeFixtureVideo, SPIKE_START_SEC } from './blended-fixture.ts';
import { makeFixtureVideo } from './fixtures.ts';

test('the shipped detector flags the self-blended fixture and clears the same face unblended', async () => {
  const options = { ...DEFAULT_SCAN_OPTIONS, sampling: { fps: 5, maxFrames: 8 }, includeLandmarks: false };
  const blended = await scanVideo(await makeBlendedFixtureVideo(), options);
  const real = await scanVideo(await makeFixtureVideo('one-face'), options);
  assert.equal(blended.verdict.label, 'likely-manipulated', `blended score ${blended.verdict.score}`);
  assert.equal(real.verdict.label, 'no-manipulation-detected', `real score ${real.verdict.score}`);
  assert.ok(
    blended.frames.some((f) => f.faces.some((face) => face.manipulation.heatmap !== null)),
    'heatmaps kept',
  );
});

test('the spike clip: one sampled frame scores high, but the person and the video are not flagged', async () => {
  const options = { ...DEFAULT_SCAN_OPTIONS, sampling: { fps: 5 }, includeLandmarks: false };
  const live: ScanTrack[][] = [];
  const scan = await scanVideo(await makeSpikeFixtureVideo(), options, { onTracks: (t) => live.push(t) });
  const scored = scan.frames.flatMap((f) =>
    f.faces.map((face) => ({ timeSec: f.timeSec, probability: face.manipulation.probability! })),
  );
  const high = scored.filter((s) => s.probability >= FLAG_THRESHOLD);
  assert.equal(high.length, 1, `frames at or above the threshold: ${JSON.stringify(high)}`);
  assert.ok(Math.abs(high[0]!.timeSec - SPIKE_START_SEC) < 0.1, `the spike is at ${high[0]!.timeSec} s`);
  assert.equal(scan.tracks.length, 1);
  assert.notEqual(scan.tracks[0]!.label, 'likely-manipulated', `track score ${scan.tracks[0]!.score}`);
  assert.notEqual(scan.verdict.label, 'likely-manipulated');
  assert.deepEqual(flaggedPeopleOnScreen([scan.tracks[0]!.id], scan.tracks), [], 'no consent warning');
  assert.ok(live.length >= 1, 'live track scores were reported');
  for (const tracks of live)
    assert.deepEqual(flaggedPeopleOnScreen([1], tracks), [], 'not while scanning either');
});
