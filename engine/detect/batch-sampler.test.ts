import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syntheticBank, syntheticLabelledBank } from '../testing/synthetic-bank.ts';
import { createRandom } from '../util/random.ts';
import { createBatchSampler, sourcePairs } from './batch-sampler.ts';
import { mergeFaceBanks, type FaceBank } from './face-bank.ts';

/** Footage reals (unlabelled) first, then a labelled dataset with one source that has three fakes. */
function mixedBank(): FaceBank {
  const dataset = syntheticLabelledBank(6, 'train');
  // Source train0 takes the fakes of train1 and train2 (which keep only a real); train5 has two reals, no fake.
  dataset.entries[3] = { ...dataset.entries[3]!, pair: 'train0', group: 'train0' };
  dataset.entries[5] = { ...dataset.entries[5]!, pair: 'train0', group: 'train0' };
  dataset.entries[11] = { ...dataset.entries[11]!, label: 'real' };
  return mergeFaceBanks([syntheticBank(10), dataset]);
}

test('sources pair reals with fakes of the same source and drop sources without both', () => {
  const bank = mixedBank();
  const sources = sourcePairs(
    bank,
    bank.entries.map((_, i) => i),
  );
  assert.deepEqual(
    sources.map((s) => [s.pair, s.reals.length, s.fakes.length]),
    [
      ['train0', 1, 3],
      ['train3', 1, 1],
      ['train4', 1, 1],
    ],
  );
});

test('every supervised pair is a real face and a fake of its own source', () => {
  const bank = mixedBank();
  const all = bank.entries.map((_, i) => i);
  const sampler = createBatchSampler(bank, all, { supervised: 5, selfBlend: 7 }, createRandom(4));
  for (let step = 0; step < 50; step++) {
    const items = sampler.next();
    assert.equal(items.length, 12);
    const supervised = items.slice(0, 5);
    const selfBlend = items.slice(5);
    for (const item of supervised) {
      const real = bank.entries[item.index]!;
      const fake = bank.entries[item.fakeIndex!]!;
      assert.equal(real.label, 'real');
      assert.equal(fake.label, 'fake');
      assert.equal(real.pair, fake.pair, 'a face and its own fake');
    }
    for (const item of selfBlend) {
      assert.equal(item.fakeIndex, undefined);
      assert.notEqual(bank.entries[item.index]!.label, 'fake', 'only real faces are self-blended');
    }
  }
});

test('sources are drawn evenly, however many fakes each has, and footage reals hold half the self-blends', () => {
  const bank = mixedBank();
  const all = bank.entries.map((_, i) => i);
  const sampler = createBatchSampler(bank, all, { supervised: 4, selfBlend: 4 }, createRandom(9));
  const perSource = new Map<string, number>();
  let footage = 0;
  let selfBlends = 0;
  for (let step = 0; step < 2000; step++) {
    for (const item of sampler.next()) {
      const entry = bank.entries[item.index]!;
      if (item.fakeIndex !== undefined) perSource.set(entry.pair!, (perSource.get(entry.pair!) ?? 0) + 1);
      else {
        selfBlends++;
        if (entry.label === undefined) footage++;
      }
    }
  }
  // 8000 supervised pairs over 3 sources: 2667 each, within 5 %.
  assert.equal(perSource.size, 3);
  for (const [pair, n] of perSource) assert.ok(Math.abs(n - 8000 / 3) < 133, `${pair}: ${n}`);
  assert.ok(Math.abs(footage / selfBlends - 0.5) < 0.03, `footage share ${footage / selfBlends}`);
});

test('the sampler is reproducible from its seed and refuses plans it cannot fill', () => {
  const bank = mixedBank();
  const all = bank.entries.map((_, i) => i);
  const a = createBatchSampler(bank, all, { supervised: 3, selfBlend: 3 }, createRandom(1));
  const b = createBatchSampler(bank, all, { supervised: 3, selfBlend: 3 }, createRandom(1));
  assert.deepEqual(a.next(), b.next());
  const footageOnly = syntheticBank(4);
  assert.throws(
    () => createBatchSampler(footageOnly, [0, 1, 2, 3], { supervised: 1, selfBlend: 1 }, createRandom(1)),
    /no source has both a real and a fake/,
  );
  const fakesOnly = syntheticLabelledBank(2, 'train');
  assert.throws(
    () => createBatchSampler(fakesOnly, [1, 3], { supervised: 0, selfBlend: 1 }, createRandom(1)),
    /no real faces/,
  );
});
