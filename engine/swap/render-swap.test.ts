import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initTensorflow } from '../runtime/tensorflow.ts';
import { scanVideo, DEFAULT_SCAN_OPTIONS } from '../scan/scan-video.ts';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { createTinySwapProject } from '../testing/tiny-swap-project.ts';
import { UnmaskError } from '../util/errors.ts';
import { streamFrames } from '../video/decode.ts';
import { probeVideo } from '../video/probe.ts';
import { renderSwap } from './render-swap.ts';
import { hasWatermark, watermarkLayout } from './watermark.ts';

const consent = {
  statement: 'Fixture portraits are public-domain government works',
  attestedAt: '2026-01-01T00:00:00.000Z',
};
let project = '';
let work = '';

before(async () => {
  await initTensorflow();
  work = await mkdtemp(join(tmpdir(), 'unmask-swap-render-'));
  project = join(work, 'project');
  await createTinySwapProject(project, { consent });
});

test('a render keeps the audio, tags the container as AI-generated and watermarks every frame', async () => {
  const input = await makeFixtureVideo('with-audio');
  const output = join(work, 'swapped.mp4');
  const result = await renderSwap({ projectDir: project, input, output, to: 'b', consent });
  const inputProbe = await probeVideo(input);
  assert.ok(
    result.swappedFrames > result.frames * 0.8,
    `faces found in ${result.swappedFrames}/${result.frames} frames`,
  );
  const probe = await probeVideo(output);
  assert.notEqual(probe.audio, null, 'the audio track is kept');
  assert.equal(probe.tags['ai_generated'], 'true');
  assert.equal(probe.tags['unmask_consent'], consent.statement);
  assert.match(probe.tags['comment'] ?? '', /^SYNTHETIC: face swap/);
  let frames = 0;
  for await (const frame of streamFrames(output, probe)) {
    assert.ok(hasWatermark(frame), `frame ${frame.sampleIndex} carries the watermark`);
    frames++;
  }
  assert.equal(frames, inputProbe.video.nbFrames, 'one output frame per input frame');

  const scan = await scanVideo(output, { ...DEFAULT_SCAN_OPTIONS, scoreFaces: false, sampling: { fps: 1 } });
  assert.equal(scan.aiLabel?.aiGenerated, true, 'unmask scan reports the label');
  assert.equal(scan.aiLabel?.consent, consent.statement);
  assert.match(scan.summary.message, /declares itself AI-generated/);
});

test('frames without a face pass through unchanged apart from the watermark', async () => {
  const input = await makeFixtureVideo('no-faces');
  const output = join(work, 'no-faces-rendered.mp4');
  const result = await renderSwap({ projectDir: project, input, output, to: 'a', consent });
  assert.equal(result.swappedFrames, 0);
  const source = streamFrames(input, await probeVideo(input));
  for await (const frame of streamFrames(output, await probeVideo(output))) {
    const original = (await source.next()).value!;
    const box = watermarkLayout(frame.width, frame.height);
    let diff = 0;
    let n = 0;
    for (let y = 0; y < frame.height; y++) {
      for (let x = 0; x < frame.width; x++) {
        if (x < box.x + box.width + 4 && y < box.y + box.height + 4) continue;
        const o = (y * frame.width + x) * 3;
        diff += Math.abs(frame.data[o]! - original.data[o]!);
        n++;
      }
    }
    assert.ok(diff / n < 4, `frame ${frame.sampleIndex}: mean difference ${diff / n} outside the label`);
  }
});

test('rendering onto the input itself is refused before anything is written', async () => {
  const input = await makeFixtureVideo('one-face');
  await assert.rejects(
    renderSwap({ projectDir: project, input, output: input, to: 'b', consent }),
    (error: unknown) => error instanceof UnmaskError && error.code === 'swapOutputIsInput',
  );
  await assert.rejects(
    renderSwap({ projectDir: join(work, 'nope'), input, output: join(work, 'x.mp4'), to: 'b', consent }),
    (error: unknown) => error instanceof UnmaskError && error.code === 'swapProjectMismatch',
  );
  assert.equal(existsSync(join(work, 'x.mp4')), false);
});

test('scan reports an ai_generated=false tag as not AI-generated', async () => {
  const scan = await scanVideo(await makeFixtureVideo('one-face'), {
    ...DEFAULT_SCAN_OPTIONS,
    scoreFaces: false,
    sampling: { maxFrames: 1 },
  });
  assert.deepEqual(scan.aiLabel, {
    aiGenerated: false,
    tag: 'ai_generated',
    value: 'false',
    generator: null,
    consent: null,
    tags: [{ tag: 'ai_generated', value: 'false', says: 'not-ai-generated' }],
  });
  assert.doesNotMatch(scan.summary.message, /AI-generated/);
});
