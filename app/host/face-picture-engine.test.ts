import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FacePictureJob } from './engine-messages.ts';
import { FacePictureEngine } from './face-picture-engine.ts';
import { fakeEngine } from './testing-engine.ts';

const ask = { caseId: 'case-0123456789ab', trackId: 1, frameIndex: 3 };

/** A launcher that hands out the given fake engines in turn. */
function launcherOf(...engines: Array<ReturnType<typeof fakeEngine>>) {
  let launched = 0;
  return { launch: () => engines[launched++]!.launch(), launched: () => launched };
}

test('pictures are drawn in one engine process, each answer matched to its request by id', async () => {
  const engine = fakeEngine();
  const pictures = new FacePictureEngine(engine.launch, '/data');
  try {
    const first = pictures.draw(ask);
    const second = pictures.draw({ ...ask, trackId: 2 });
    const [a, b] = engine.sent as FacePictureJob[];
    assert.equal(engine.sent.length, 2, 'one process for both');
    assert.deepEqual({ ...a, id: 0 }, { type: 'face-picture', id: 0, dataDir: '/data', ...ask, size: 224 });
    engine.reply({ type: 'face-picture-failed', id: b!.id, code: 'inputNotFound', message: 'not there' });
    engine.reply({ type: 'face-picture-done', id: a!.id, picture: { url: 'data:a', caption: 'map a' } });
    assert.deepEqual(await first, { url: 'data:a', caption: 'map a' });
    await assert.rejects(second, (error: Error & { code?: string }) => error.code === 'inputNotFound');
  } finally {
    pictures.close();
  }
});

test('a crash fails only the pictures in flight; the next one starts a fresh process', async () => {
  const crashing = fakeEngine();
  const fresh = fakeEngine();
  const launcher = launcherOf(crashing, fresh);
  const pictures = new FacePictureEngine(launcher.launch, '/data');
  try {
    const lost = pictures.draw(ask);
    crashing.exit(null);
    await assert.rejects(lost, /engine drawing face pictures stopped/);
    const next = pictures.draw(ask);
    assert.equal(launcher.launched(), 2);
    const { id } = fresh.sent[0] as FacePictureJob;
    fresh.reply({ type: 'face-picture-done', id, picture: { url: 'data:b', caption: '' } });
    assert.equal((await next).url, 'data:b');
  } finally {
    pictures.close();
  }
});

test('the process is stopped once idle, and started again when asked', async () => {
  const idle = fakeEngine();
  const fresh = fakeEngine();
  const launcher = launcherOf(idle, fresh);
  const pictures = new FacePictureEngine(launcher.launch, '/data', 5);
  try {
    const first = pictures.draw(ask);
    idle.reply({
      type: 'face-picture-done',
      id: (idle.sent[0] as FacePictureJob).id,
      picture: { url: 'data:a', caption: '' },
    });
    await first;
    await new Promise((resolve) => setTimeout(resolve, 30));
    const second = pictures.draw(ask);
    assert.equal(launcher.launched(), 2, 'the idle process was stopped');
    fresh.reply({
      type: 'face-picture-done',
      id: (fresh.sent[0] as FacePictureJob).id,
      picture: { url: 'data:b', caption: '' },
    });
    assert.equal((await second).url, 'data:b');
  } finally {
    pictures.close();
  }
});
