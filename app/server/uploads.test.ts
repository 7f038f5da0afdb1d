import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeBytes, uploadFileName } from './uploads.ts';

test('upload names never climb out, never name the folder itself, never carry control characters', () => {
  assert.equal(uploadFileName('clip.mp4'), 'clip.mp4');
  assert.equal(uploadFileName('../../clip.mp4'), 'clip.mp4');
  assert.equal(uploadFileName('C:\\\\Users\\\\ada\\\\clip.mp4'), 'clip.mp4');
  for (const name of ['.', '..', '', '/', null]) assert.equal(uploadFileName(name), 'upload', String(name));
  assert.equal(uploadFileName('a\u0000b\nc.mp4'), 'a_b_c.mp4');
});

test('limits are described in the units a file manager shows', () => {
  assert.equal(describeBytes(4 * 2 ** 30), '4 GB');
  assert.equal(describeBytes(1.5 * 2 ** 20), '1.5 MB');
  assert.equal(describeBytes(1000), '1000 bytes');
});
