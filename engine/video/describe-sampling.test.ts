import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeSampling } from './describe-sampling.ts';

test('describeSampling says each sampling setting in words', () => {
  assert.equal(describeSampling({ fps: 5 }), '5 frames per second');
  assert.equal(describeSampling({ fps: 1 }), '1 frame per second');
  assert.equal(describeSampling({}), 'every frame');
  assert.equal(describeSampling({ everyNth: 1 }), 'every frame');
  assert.equal(describeSampling({ everyNth: 2 }), 'every 2nd frame');
  assert.equal(describeSampling({ everyNth: 3 }), 'every 3rd frame');
  assert.equal(describeSampling({ everyNth: 11 }), 'every 11th frame');
  assert.equal(describeSampling({ everyNth: 21 }), 'every 21st frame');
  assert.equal(
    describeSampling({ fps: 2.5, startSec: 2, endSec: 10, maxFrames: 100 }),
    '2.5 frames per second, from 2 s to 10 s, at most 100 frames',
  );
  assert.equal(describeSampling({ everyNth: 4, startSec: 3 }), 'every 4th frame, from 3 s to the end');
  assert.equal(
    describeSampling({ endSec: 6, maxFrames: 1 }),
    'every frame, from 0 s to 6 s, at most 1 frame',
  );
});
