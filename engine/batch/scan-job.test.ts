import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCAN_OPTIONS } from '../scan/scan-video.ts';
import { batchScanSettingsSchema, jobIdForSha256, scanJobDataSchema, scanOptionsFor } from './scan-job.ts';

const SHA = '0123456789abcdef'.repeat(4);

test('the job id is the content hash with a prefix, and only a SHA-256 digest is accepted', () => {
  assert.equal(jobIdForSha256(SHA), `sha256-${SHA}`);
  assert.throws(() => jobIdForSha256(SHA.toUpperCase()), /not a SHA-256/);
  assert.throws(() => jobIdForSha256('abc'), /not a SHA-256/);
});

test('batch settings become scan options: rate or every-Nth sampling, frame cap, scoring, landmarks', () => {
  const byRate = scanOptionsFor({ fps: 2, maxFrames: 3, score: false, landmarks: false });
  assert.deepEqual(byRate.sampling, { fps: 2, maxFrames: 3 });
  assert.equal(byRate.scoreFaces, false);
  assert.equal(byRate.includeLandmarks, false);
  assert.equal(byRate.minFaceSize, DEFAULT_SCAN_OPTIONS.minFaceSize);
  const byStep = scanOptionsFor({ everyNth: 10, score: true, landmarks: true, minFaceSize: 40 });
  assert.deepEqual(byStep.sampling, { everyNth: 10 });
  assert.equal(byStep.includeLandmarks, true);
  assert.equal(byStep.minFaceSize, 40);
  assert.deepEqual(scanOptionsFor({ score: true, landmarks: false }).sampling, DEFAULT_SCAN_OPTIONS.sampling);
});

test('job data from another machine is validated: both samplings, unknown keys and bad digests are refused', () => {
  assert.equal(
    batchScanSettingsSchema.safeParse({ fps: 2, everyNth: 3, score: true, landmarks: false }).success,
    false,
  );
  const data = {
    version: 1,
    path: '/share/a.mp4',
    sha256: SHA,
    sizeBytes: 10,
    settings: { fps: 2, score: true, landmarks: false },
    submittedBy: 'host:1',
    submittedAt: '2026-01-01T00:00:00.000Z',
  };
  assert.equal(scanJobDataSchema.safeParse(data).success, true);
  assert.equal(scanJobDataSchema.safeParse({ ...data, version: 2 }).success, false);
  assert.equal(scanJobDataSchema.safeParse({ ...data, sha256: 'x' }).success, false);
  assert.equal(scanJobDataSchema.safeParse({ ...data, extra: true }).success, false);
});
