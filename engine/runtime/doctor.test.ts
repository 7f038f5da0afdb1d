import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runUnmask } from '../testing/run-cli.ts';
import type { DoctorReport } from './doctor.ts';
import { BACKEND_PREFERENCE } from './tensorflow.ts';

function doctor(env: Record<string, string | undefined> = {}): DoctorReport {
  const result = runUnmask(['doctor', '--json'], env);
  assert.equal(result.status, 0, result.stderr);
  return JSON.parse(result.stdout) as DoctorReport;
}

test('doctor picks the first backend in preference order that starts, and says why the others did not', () => {
  const report = doctor({ UNMASK_TF_BACKEND: undefined });
  assert.ok(!('error' in report.tensorflow));
  const attempts = report.tensorflow.attempts;
  assert.equal(attempts.at(-1)!.ok, true);
  assert.equal(attempts.at(-1)!.backend, report.tensorflow.backend);
  assert.deepEqual(
    attempts.map((a) => a.backend),
    BACKEND_PREFERENCE.slice(0, attempts.length),
    'attempts follow tensorflow → wasm → cpu',
  );
  for (const failed of attempts.slice(0, -1)) assert.ok(failed.detail.length > 0);
});

test('UNMASK_TF_BACKEND forces a backend', () => {
  const report = doctor({ UNMASK_TF_BACKEND: 'cpu' });
  assert.ok(!('error' in report.tensorflow));
  assert.equal(report.tensorflow.backend, 'cpu');
});

test('a broken FFMPEG_PATH is reported and the next candidate is used', () => {
  const report = doctor({ FFMPEG_PATH: '/nonexistent/ffmpeg' });
  assert.ok(!('error' in report.ffmpeg));
  assert.equal(report.ffmpeg.attempts[0]!.source, 'env');
  assert.equal(report.ffmpeg.attempts[0]!.ok, false);
  assert.notEqual(report.ffmpeg.source, 'env');
});

test('a working FFPROBE_PATH wins over every other candidate', () => {
  const found = doctor();
  assert.ok(!('error' in found.ffprobe));
  const report = doctor({ FFPROBE_PATH: found.ffprobe.path });
  assert.ok(!('error' in report.ffprobe));
  assert.equal(report.ffprobe.source, 'env');
  assert.equal(report.ffprobe.path, found.ffprobe.path);
});
