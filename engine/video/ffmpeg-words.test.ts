import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ffmpegFailureInWords, plainFfmpegReason } from './ffmpeg-words.ts';

test('common ffmpeg failures are said in plain words', () => {
  const cases: Array<[string, RegExp]> = [
    [
      'moov atom not found',
      /^the file is not a complete video \(it may be cut short or still downloading\)$/,
    ],
    ['Invalid data found when processing input', /damaged or is not a video/],
    ['/tmp/x.mp4: No such file or directory', /not there any more/],
    [
      'Decoder (codec hevc) not found for input stream #0:0',
      /format \(codec\) that this ffmpeg cannot decode/,
    ],
    ['Unsupported codec with id 0 for input stream 0', /cannot decode/],
    ['Packet corrupt / partial file', /ends early/],
  ];
  for (const [reason, plain] of cases) assert.match(plainFfmpegReason(reason) ?? '', plain, reason);
  assert.equal(plainFfmpegReason('Something nobody has seen'), null);
});

test("the plain words come first and ffmpeg's own after them", () => {
  assert.equal(
    ffmpegFailureInWords('ffprobe', 'moov atom not found'),
    'the file is not a complete video (it may be cut short or still downloading); ffprobe said: moov atom not found',
  );
  assert.equal(ffmpegFailureInWords('ffmpeg', 'odd thing'), 'ffmpeg said: odd thing');
  assert.equal(
    ffmpegFailureInWords('ffmpeg', 'odd thing', 'it is damaged'),
    'it is damaged; ffmpeg said: odd thing',
  );
});
