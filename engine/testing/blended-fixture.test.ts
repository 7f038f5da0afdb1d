import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCAN_OPTIONS, scanVideo } from '../scan/scan-video.ts';
import { makeBlendedFixtureVideo } from './blended-fixture.ts';
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
