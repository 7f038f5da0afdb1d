import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ageWarning, chooseCandidate, libavcodecVersion, type ToolCandidate } from './ffmpeg.ts';

const working = (source: ToolCandidate['source'], libavcodec?: string): ToolCandidate => ({
  source,
  path: `/${source}/ffmpeg`,
  ok: true,
  detail: '',
  ...(libavcodec && { libavcodec }),
});

test('the libavcodec version is read from a -version banner', () => {
  const banner =
    'ffmpeg version N-47683-g0e8eb07980-static\nlibavutil      56. 24.101 / 56. 24.101\nlibavcodec     58. 42.100 / 58. 42.100\n';
  assert.equal(libavcodecVersion(banner), '58.42.100');
  assert.equal(
    libavcodecVersion('ffmpeg version 5.1.6\nlibavcodec     59. 37.100 / 59. 37.100'),
    '59.37.100',
  );
  assert.equal(libavcodecVersion('ffmpeg version 1'), null);
});

test('the newest working candidate is chosen, not the first; FFMPEG_PATH still wins', () => {
  // The probe's machine: @ffmpeg-installer's FFmpeg 4.1 (2018) came before Debian's 5.1.
  const installer = working('installer-package', '58.42.100');
  const system = working('system', '59.37.100');
  assert.equal(chooseCandidate([installer, system]), system);
  assert.equal(
    chooseCandidate([working('ffmpeg-static', '60.31.102'), installer, system])?.source,
    'ffmpeg-static',
  );
  assert.equal(
    chooseCandidate([installer, working('system', '58.42.100')]),
    installer,
    'a tie keeps list order',
  );
  assert.equal(chooseCandidate([working('system'), installer]), installer, 'an unknown version ranks last');
  const env = working('env', '57.107.100');
  assert.equal(chooseCandidate([env, system]), env);
  assert.equal(chooseCandidate([]), undefined);
});

test('an ffmpeg older than FFmpeg 5.0 gets a warning', () => {
  assert.match(ageWarning('ffmpeg', '58.42.100')!, /libavcodec 58\.42\.100, older than FFmpeg 5\.0 \(2022\)/);
  assert.match(ageWarning('ffprobe', null)!, /unknown libavcodec.*FFPROBE_PATH/);
  assert.equal(ageWarning('ffmpeg', '59.37.100'), null);
  assert.equal(ageWarning('ffmpeg', '61.3.100'), null);
});
