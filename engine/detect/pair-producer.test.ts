import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFloatImage } from '../imaging/float-image.ts';
import { syntheticBank } from '../testing/synthetic-bank.ts';
import { loadFaceBank, mergeFaceBanks, saveFaceBank } from './face-bank.ts';
import { createPairProducer } from './pair-producer.ts';
import { downsampleMap } from './training-pairs.ts';

test('downsampleMap averages blocks', () => {
  const map = createFloatImage(4, 4, 1);
  map.data.set([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 1]);
  assert.deepEqual(Array.from(downsampleMap(map, 2)), [1, 0, 0, 0.75]);
});

test('a face bank survives a save/load round trip and merges', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'unmask-bank-'));
  const bank = syntheticBank(3);
  await saveFaceBank(bank, join(dir, 'bank.bin'));
  const loaded = await loadFaceBank(join(dir, 'bank.bin'));
  assert.deepEqual(loaded.entries, bank.entries);
  assert.deepEqual(loaded.crops, bank.crops);
  const merged = mergeFaceBanks([bank, loaded]);
  assert.equal(merged.entries.length, 6);
  assert.equal(merged.crops.length, bank.crops.length * 2);
});

test('worker threads produce exactly the pairs the main thread would', async () => {
  const bank = syntheticBank(4);
  const items = [
    { index: 0, seed: 11 },
    { index: 3, seed: 12 },
  ];
  const local = createPairProducer(bank, 32, 8, 0);
  const threaded = createPairProducer(bank, 32, 8, 1);
  try {
    const a = await local.produce(items);
    const b = await threaded.produce(items);
    assert.equal(b.count, 2);
    assert.equal(b.real.length, 2 * 32 * 32 * 3);
    assert.equal(b.boundary.length, 2 * 8 * 8);
    assert.deepEqual(a.fake, b.fake);
    assert.deepEqual(a.boundary, b.boundary);
    assert.notDeepEqual(a.fake.subarray(0, 3072), a.real.subarray(0, 3072));
  } finally {
    await threaded.close();
  }
});

test('a batch shared by three workers comes back whole and in order, supervised pairs included', async () => {
  const bank = syntheticBank(6);
  const items = [
    { index: 0, seed: 21 },
    { index: 1, fakeIndex: 2, seed: 22 },
    { index: 3, seed: 23 },
    { index: 4, fakeIndex: 5, seed: 24 },
    { index: 5, seed: 25 },
  ];
  const local = createPairProducer(bank, 32, 8, 0);
  const threaded = createPairProducer(bank, 32, 8, 3);
  try {
    const a = await local.produce(items);
    const b = await threaded.produce(items);
    assert.equal(b.count, 5);
    assert.deepEqual(b.real, a.real);
    assert.deepEqual(b.fake, a.fake);
    assert.deepEqual(b.boundary, a.boundary);
    assert.ok(
      b.boundary.subarray(64, 128).every((v) => v === -1),
      'a supervised fake has no known boundary',
    );
  } finally {
    await threaded.close();
  }
});
