import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanDamage } from './scan-damage.ts';

test('an intact decode has no damage record', () => {
  assert.equal(scanDamage(0, [], []), undefined);
});

test('decode errors and missing ranges are named in one caveat', () => {
  const damage = scanDamage(183, ['a', 'b', 'c', 'd', 'e', 'f'], [{ fromSec: 7.8, toSec: 9.4312 }])!;
  assert.equal(damage.decodeErrors, 183);
  assert.deepEqual(damage.firstErrors, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(damage.missing, [{ fromSec: 7.8, toSec: 9.431 }]);
  assert.match(
    damage.caveat,
    /^The file is damaged: ffmpeg reported 183 decode errors and no frame could be decoded from 7\.8 s to 9\.4 s; those parts were not analysed\./,
  );
  assert.match(scanDamage(1, ['x'], [])!.caveat, /1 decode error; some frames may be partly guessed/);
  assert.match(
    scanDamage(0, [], [{ fromSec: 0, toSec: 3 }])!.caveat,
    /^Frames are missing: no frame could be decoded from 0\.0 s to 3\.0 s/,
  );
});
