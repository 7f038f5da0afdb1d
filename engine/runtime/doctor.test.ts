import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

/** A folder with a stand-in `ffmpeg` that answers -version as Debian's FFmpeg 5.1 does. */
function newerSystemFfmpeg(): string {
  const dir = mkdtempSync(join(tmpdir(), 'unmask-ffmpeg-'));
  const script = join(dir, 'ffmpeg');
  writeFileSync(
    script,
    '#!/bin/sh\necho "ffmpeg version 5.1.6-0+deb12u1 Copyright (c) 2000-2024 the FFmpeg developers"\n' +
      'echo "libavcodec     59. 37.100 / 59. 37.100"\n',
  );
  chmodSync(script, 0o755);
  return dir;
}

test('the newest working ffmpeg is chosen, not the first found; FFMPEG_PATH still wins', () => {
  const bundled = doctor({ FFMPEG_PATH: undefined, PATH: '/usr/bin:/bin' });
  assert.ok(!('error' in bundled.ffmpeg));
  const dir = newerSystemFfmpeg();
  const report = doctor({ FFMPEG_PATH: undefined, PATH: `${dir}:/usr/bin:/bin` });
  assert.ok(!('error' in report.ffmpeg));
  const bundledMajor = Number(bundled.ffmpeg.libavcodec?.split('.')[0] ?? 0);
  if (bundledMajor < 59) {
    // As on the probe's machine: the package's FFmpeg 4.1 used to win because it came first.
    assert.equal(report.ffmpeg.source, 'system');
    assert.equal(report.ffmpeg.libavcodec, '59.37.100');
    assert.equal(report.ffmpeg.warning, null);
    assert.match(report.ffmpeg.choice, /newest of \d working candidates/);
    assert.match(
      bundled.ffmpeg.warning ?? '',
      /older than FFmpeg 5\.0/,
      'alone, the old one is used with a warning',
    );
  } else {
    assert.equal(report.ffmpeg.source, bundled.ffmpeg.source, 'a bundled ffmpeg newer than 5.1 stays');
  }
  const forced = doctor({ FFMPEG_PATH: bundled.ffmpeg.path, PATH: `${dir}:/usr/bin:/bin` });
  assert.ok(!('error' in forced.ffmpeg));
  assert.equal(forced.ffmpeg.source, 'env');
  assert.equal(forced.ffmpeg.choice, 'set by FFMPEG_PATH');
});
