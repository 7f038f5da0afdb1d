import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeFixtureVideo } from '../testing/fixtures.ts';
import { probeVideo } from '../video/probe.ts';
import { C2PA_BOX_USER_TYPE, detectContentCredentials } from './content-credentials.ts';

/** A top-level uuid box with the C2PA user type and a stand-in payload, appended after the movie. */
function c2paBox(payloadBytes: number): Buffer {
  const box = Buffer.alloc(8 + 16 + payloadBytes);
  box.writeUInt32BE(box.length, 0);
  box.write('uuid', 4, 'latin1');
  C2PA_BOX_USER_TYPE.copy(box, 8);
  box.write('jumb', 24 + 4, 'latin1');
  return box;
}

test('a C2PA uuid box in an MP4 is found; plain MP4s and non-BMFF files have none', async () => {
  const video = await makeFixtureVideo('one-face');
  assert.deepEqual(await detectContentCredentials(video), { present: false });
  const dir = mkdtempSync(join(tmpdir(), 'unmask-c2pa-'));
  const signed = join(dir, 'with-credentials.mp4');
  writeFileSync(signed, Buffer.concat([readFileSync(video), c2paBox(1000)]));
  const found = await detectContentCredentials(signed);
  assert.equal(found.present, true);
  assert.match(found.summary!, /C2PA manifest store \(1,024 bytes\)/);
  assert.match(found.summary!, /does not validate/);
  await probeVideo(signed); // still a playable MP4
  const text = join(dir, 'notes.mp4');
  writeFileSync(text, 'not a video at all');
  assert.deepEqual(await detectContentCredentials(text), { present: false });
});
