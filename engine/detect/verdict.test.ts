import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  consentOverlayText,
  damageCaveat,
  describePerson,
  describeScan,
  describeVerdict,
  FLAG_THRESHOLD,
  flaggedPeopleOnScreen,
  INCONCLUSIVE_BAND,
  plural,
  scoreTone,
  strengthFor,
  THRESHOLD_PROFILES,
  VERDICT_LABELS,
  VERDICT_TONE,
  verdictBadgeText,
  verdictCaveats,
  verdictFor,
  type PersonFacts,
  type VerdictBasis,
} from './verdict.ts';

test('the label and band table: the band is [0.35, 0.65), its upper edge is the flag threshold', () => {
  assert.equal(FLAG_THRESHOLD, 0.65);
  assert.deepEqual(INCONCLUSIVE_BAND, [0.35, 0.65]);
  assert.deepEqual(THRESHOLD_PROFILES.standard.inconclusiveBand, INCONCLUSIVE_BAND);
  assert.equal(THRESHOLD_PROFILES.standard.flagAt, FLAG_THRESHOLD);
  const table: Array<[number | null, string]> = [
    [0, 'no-manipulation-detected'],
    [0.3499, 'no-manipulation-detected'],
    [0.35, 'inconclusive'],
    [0.6499, 'inconclusive'],
    [0.65, 'likely-manipulated'],
    [1, 'likely-manipulated'],
    [null, 'not-enough-evidence'],
    [Number.NaN, 'not-enough-evidence'],
  ];
  for (const [score, label] of table) assert.equal(verdictFor(score), label, `score ${score}`);
  assert.equal(verdictFor(0.55, [0.3, 0.5]), 'likely-manipulated', 'another band moves the edges');
  for (const label of VERDICT_LABELS) assert.ok(VERDICT_TONE[label]);
});

test('strength words describe evidence for manipulation: only flagged and inconclusive scores have one', () => {
  assert.deepEqual(
    [0.35, 0.49, 0.5, 0.64].map((s) => strengthFor(s)),
    ['weak', 'weak', 'moderate', 'moderate'],
    'inconclusive',
  );
  assert.deepEqual(
    [0.65, 0.69, 0.7, 0.89, 0.9, 1].map((s) => strengthFor(s)),
    ['moderate', 'moderate', 'strong', 'strong', 'very strong', 'very strong'],
    'flagged',
  );
  assert.equal(strengthFor(0.12), null, 'a low score is not "weak evidence"');
  assert.equal(strengthFor(0.34), null);
  assert.equal(strengthFor(null), null);
  assert.equal(strengthFor(0.72, 'not-enough-evidence'), null, 'not enough evidence has no strength');
});

test('"not enough evidence" never carries a strength or a percentage', () => {
  assert.equal(verdictBadgeText('not-enough-evidence', 0.72), 'Not enough evidence');
  assert.equal(verdictBadgeText('likely-manipulated', 0.78), 'Likely manipulated · 78%');
  assert.equal(verdictBadgeText('no-manipulation-detected', 0.12), 'No manipulation detected · 12%');
  assert.equal(describeVerdict('not-enough-evidence', 0.72), 'not enough evidence to judge');
  const person: PersonFacts = {
    label: 'not-enough-evidence',
    score: 0.7161,
    frames: 7,
    scoredFrames: 1,
    decisive: false,
  };
  const sentence = describePerson(person);
  assert.equal(sentence, 'Judged in only 1 frame: too few to count towards the verdict.');
  assert.doesNotMatch(sentence, /%|strong|weak|moderate/);
});

test('sentences: no strength for a clear score, the strength for flagged and inconclusive ones', () => {
  assert.equal(describeVerdict('no-manipulation-detected', 0.12), 'no manipulation detected (12%)');
  assert.equal(
    describeVerdict('likely-manipulated', 0.78),
    'likely manipulated (78%, strong evidence of manipulation)',
  );
  assert.equal(
    describeVerdict('inconclusive', 0.45),
    'inconclusive (45%, weak evidence of manipulation: not enough to decide)',
  );
  const judged = (label: PersonFacts['label'], score: number, scoredFrames: number): PersonFacts => ({
    label,
    score,
    frames: scoredFrames + 2,
    scoredFrames,
    decisive: true,
  });
  assert.equal(
    describePerson(judged('no-manipulation-detected', 0.12, 22)),
    'No manipulation detected in 22 judged frames.',
  );
  assert.doesNotMatch(describePerson(judged('no-manipulation-detected', 0.12, 22)), /weak/);
  assert.equal(
    describePerson(judged('likely-manipulated', 0.93, 40)),
    'Likely manipulated: very strong evidence of manipulation over 40 judged frames.',
  );
  assert.match(describePerson(judged('inconclusive', 0.55, 9)), /^Inconclusive: moderate evidence/);
});

test('plurals are right', () => {
  assert.equal(plural(1, 'frame'), '1 frame');
  assert.equal(plural(0, 'frame'), '0 frames');
  assert.equal(plural(2, 'person', 'people'), '2 people');
  assert.equal(plural(1, 'person', 'people'), '1 person');
  assert.equal(
    describeScan({
      faces: 1,
      framesWithFaces: 1,
      sampledFrames: 1,
      people: 1,
      label: 'not-enough-evidence',
      score: null,
    }),
    '1 face in 1 of 1 sampled frame, 1 person tracked; verdict: not enough evidence to judge.',
  );
  assert.equal(
    describeScan({
      faces: 38,
      framesWithFaces: 34,
      sampledFrames: 46,
      people: 3,
      label: 'no-manipulation-detected',
      score: 0.2721,
    }),
    '38 faces in 34 of 46 sampled frames, 3 people tracked; verdict: no manipulation detected (27%).',
  );
  assert.equal(
    describeScan({
      faces: 0,
      framesWithFaces: 0,
      sampledFrames: 1,
      people: 0,
      label: 'not-enough-evidence',
      score: null,
    }),
    'No faces found in 1 sampled frame: nothing to judge.',
  );
  assert.equal(
    describePerson({
      label: 'not-enough-evidence',
      score: null,
      frames: 1,
      scoredFrames: 0,
      decisive: false,
    }),
    'Too small or unclear to judge in its only frame, so this person does not count towards the verdict.',
  );
  assert.match(
    describePerson({
      label: 'not-enough-evidence',
      score: null,
      frames: 4,
      scoredFrames: 0,
      decisive: false,
    }),
    /in all 4 of its frames/,
  );
});

test('the consent warning follows flagged tracks, never a one-frame spike', () => {
  const tracks = [
    { id: 1, label: 'no-manipulation-detected' as const, score: 0.27 },
    { id: 2, label: 'likely-manipulated' as const, score: 0.81 },
    { id: 3, label: 'not-enough-evidence' as const, score: 0.9 },
  ];
  // Person 1 has a frame at 80% on screen, but their track is not flagged: no warning.
  assert.deepEqual(flaggedPeopleOnScreen([1], tracks), []);
  // Too few judged frames is not a flag either, however high the score.
  assert.deepEqual(flaggedPeopleOnScreen([3], tracks), []);
  // A flagged person on screen raises it, whatever that frame scored.
  assert.deepEqual(
    flaggedPeopleOnScreen([1, 2, 2], tracks).map((t) => t.id),
    [2],
  );
  assert.deepEqual(flaggedPeopleOnScreen([], tracks), []);
  const text = consentOverlayText(flaggedPeopleOnScreen([2], tracks));
  assert.equal(text.title, 'This face is likely manipulated.');
  assert.match(text.body, /strong evidence of manipulation in the face of person 2/);
});

test('score tones follow the thresholds they are given', () => {
  assert.deepEqual(
    [0.2, 0.4, 0.7, null].map((s) => scoreTone(s)),
    ['ok', 'warning', 'danger', 'neutral'],
  );
  assert.equal(scoreTone(0.55, THRESHOLD_PROFILES.sensitive), 'danger');
  assert.equal(scoreTone(0.7, THRESHOLD_PROFILES.conservative), 'warning');
});

test('caveats: thin coverage, few judged frames behind the verdict, heavy compression', () => {
  const solid: VerdictBasis = {
    damage: null,
    sampledFrames: 50,
    judgedFrames: 25,
    decidingTrackId: 1,
    decidingFrames: 8,
    bitsPerPixel: 0.03,
  };
  assert.deepEqual(verdictCaveats(solid), [], 'half the frames, 8 judged frames, ordinary compression');
  assert.deepEqual(verdictCaveats({ ...solid, judgedFrames: 16 }), [
    'Faces could be judged in only 16 of 50 sampled frames (32%): the verdict says nothing about the rest of the video.',
  ]);
  assert.deepEqual(verdictCaveats({ ...solid, decidingFrames: 1 }), [
    'The verdict rests on only 1 judged frame of person 1; with fewer than 8 it can turn on a few frames.',
  ]);
  assert.match(
    verdictCaveats({ ...solid, bitsPerPixel: 0.012 })[0]!,
    /heavily compressed \(0\.012 bits per pixel/,
  );
  assert.deepEqual(
    verdictCaveats({
      ...solid,
      judgedFrames: 0,
      decidingTrackId: null,
      decidingFrames: null,
      bitsPerPixel: null,
    }),
    [],
    'nothing judged: the verdict (not enough evidence) says so itself; unknown bit rate: no claim',
  );
  assert.equal(
    verdictCaveats({ ...solid, judgedFrames: 3, decidingFrames: 3, bitsPerPixel: 0.01 }).length,
    3,
    'all three at once',
  );
});

test('caveats: a damaged input comes first, naming what was not analysed', () => {
  const basis: VerdictBasis = {
    damage: { decodeErrors: 183, missing: [{ fromSec: 7.8, toSec: 9.431 }] },
    sampledFrames: 50,
    judgedFrames: 25,
    decidingTrackId: 1,
    decidingFrames: 3,
    bitsPerPixel: 0.03,
  };
  const caveats = verdictCaveats(basis);
  assert.equal(caveats.length, 2);
  assert.equal(
    caveats[0],
    'The file is damaged: ffmpeg reported 183 decode errors and no frame could be decoded from 7.8 s to 9.4 s; ' +
      'those parts were not analysed. The verdict covers only what could be decoded.',
  );
  assert.equal(caveats[0], damageCaveat(basis.damage!));
  assert.match(
    damageCaveat({ decodeErrors: 1, missing: [] }),
    /^The file is damaged: ffmpeg reported 1 decode error; some frames may be partly guessed/,
  );
  assert.match(
    damageCaveat({ decodeErrors: 0, missing: [{ fromSec: 0, toSec: 3 }] }),
    /^Frames are missing: no frame could be decoded from 0\.0 s to 3\.0 s; those parts were not analysed\./,
  );
});
