import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resizeImage } from '../imaging/float-image.ts';
import { syntheticBank } from '../testing/synthetic-bank.ts';
import { detectorMetadataFrom } from './detector.ts';
import { faceCrop, faceCropAt, loadFaceBank, mergeFaceBanks, saveFaceBank } from './face-bank.ts';

test('a face bank keeps its resampling through save and load; banks saved before it was recorded are bilinear', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-bank-'));
  const bank = { ...syntheticBank(3, 40), resampling: 'area' as const };
  await saveFaceBank(bank, join(dir, 'bank.bin'));
  assert.equal((await loadFaceBank(join(dir, 'bank.bin'))).resampling, 'area');
  // An older bank: the same file without the field in its header line.
  const bytes = await readFile(join(dir, 'bank.bin'));
  const newline = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as Record<string, unknown>;
  delete header['resampling'];
  await writeFile(
    join(dir, 'old.bin'),
    Buffer.concat([Buffer.from(`${JSON.stringify(header)}\n`), bytes.subarray(newline + 1)]),
  );
  assert.equal((await loadFaceBank(join(dir, 'old.bin'))).resampling, 'bilinear');
  assert.throws(() => mergeFaceBanks([bank, syntheticBank(2, 40)]), /resampled differently/);
});

test('faceCropAt resizes a bank crop the way the bank was made', () => {
  for (const resampling of ['area', 'bilinear'] as const) {
    const bank = { ...syntheticBank(2, 40), resampling };
    assert.deepEqual(faceCropAt(bank, 1, 16), resizeImage(faceCrop(bank, 1), 16, 16, resampling));
    assert.deepEqual(faceCropAt(bank, 1, 40), faceCrop(bank, 1));
  }
  const bank = syntheticBank(1, 40);
  assert.notDeepEqual(
    faceCropAt({ ...bank, resampling: 'area' }, 0, 16),
    faceCropAt({ ...bank, resampling: 'bilinear' }, 0, 16),
  );
});

test('detector manifests say how to crop; those that do not were trained on bilinear crops', () => {
  const manifest = (crop?: object) =>
    ({ metadata: { crop } }) as unknown as Parameters<typeof detectorMetadataFrom>[0];
  assert.equal(
    detectorMetadataFrom(manifest({ alignedSize: 160, margin: 0.15 })).crop.resampling,
    'bilinear',
  );
  assert.equal(detectorMetadataFrom(manifest()).crop.resampling, 'bilinear');
  assert.deepEqual(
    detectorMetadataFrom(manifest({ alignedSize: 160, margin: 0.2, resampling: 'area' })).crop,
    {
      alignedSize: 160,
      margin: 0.2,
      resampling: 'area',
    },
  );
});
