import assert from 'node:assert/strict';
import { test } from 'node:test';
import { roundTo } from './round.ts';

test('roundTo keeps the given number of decimal places', () => {
  assert.equal(roundTo(0.123456, 4), 0.1235);
  assert.equal(roundTo(-1.23456, 1), -1.2);
  assert.equal(roundTo(12.3456, 3), 12.346);
  assert.equal(roundTo(2.5, 0), 3);
});
