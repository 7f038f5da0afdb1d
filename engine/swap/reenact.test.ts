import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { initTensorflow } from '../runtime/tensorflow.ts';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { syntheticFaceSet } from '../testing/synthetic-faces.ts';
import { createTinySwapProject } from '../testing/tiny-swap-project.ts';
import { streamFrames } from '../video/decode.ts';
import { probeVideo } from '../video/probe.ts';
import { reenactFace } from './reenact.ts';
import { keypointArray, largestFace } from './render-swap.ts';
import { hasWatermark } from './watermark.ts';

const consent = {
  statement: 'Fixture portraits are public-domain government works',
  attestedAt: '2026-01-01T00:00:00.000Z',
};
let project = '';
let work = '';
let referenceSize = { width: 0, height: 0 };

before(async () => {
  await initTensorflow();
  work = await mkdtemp(join(tmpdir(), 'unmask-reenact-'));
  project = join(work, 'project');
  // The target's stage: the first frame of the two-faces fixture, with its largest face.
  const stageVideo = await makeFixtureVideo('two-faces');
  const first = (await streamFrames(stageVideo, await probeVideo(stageVideo), { maxFrames: 1 }).next())
    .value!;
  const detector = await loadFaceDetector();
  const face = largestFace(await detector.predict(first))!;
  detector.dispose();
  referenceSize = { width: first.width, height: first.height };
  const target = syntheticFaceSet('b', 6, 64);
  target.reference = { frame: first, keypoints: keypointArray(face), source: 'two-faces.mp4', timeSec: 0 };
  await createTinySwapProject(project, { consent, sets: { b: target } });
});

test('reenactment draws into the target’s own frame, labelled, one frame per driver frame', async () => {
  const driver = await makeFixtureVideo('one-face');
  const output = join(work, 'reenacted.mp4');
  const result = await reenactFace({
    projectDir: project,
    driver,
    target: 'b',
    output,
    consent,
    options: { maxPoseDelta: Math.PI },
  });
  assert.ok(result.paintedFrames > result.frames * 0.8, `${result.paintedFrames}/${result.frames} painted`);
  const probe = await probeVideo(output);
  assert.equal(probe.video.displayWidth, referenceSize.width);
  assert.equal(probe.tags['ai_generated'], 'true');
  assert.equal(probe.tags['unmask_synthetic'], 'face reenactment');
  let frames = 0;
  for await (const frame of streamFrames(output, probe)) {
    assert.ok(hasWatermark(frame));
    frames++;
  }
  assert.equal(frames, result.frames);
});

test('driver frames outside the pose range are held, not painted', async () => {
  const driver = await makeFixtureVideo('one-face');
  const output = join(work, 'held.mp4');
  const result = await reenactFace({
    projectDir: project,
    driver,
    target: 'b',
    output,
    consent,
    options: { maxPoseDelta: 0 },
  });
  assert.equal(result.paintedFrames, 0);
  assert.equal(result.outOfRangeFrames + result.noFaceFrames, result.frames);
});
