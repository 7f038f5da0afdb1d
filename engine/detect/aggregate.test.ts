import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile, scoreTrack, smoothProbabilities, videoVerdict } from './aggregate.ts';
import { applyCalibration, fitPlatt, sigmoid } from './calibration.ts';
import { expectedCalibrationError, rocAuc, rocCurve, statsAtThreshold } from './metrics.ts';

const series = (values: number[], fps = 5) =>
  values.map((probability, i) => ({ timeSec: i / fps, probability }));

test('quantile interpolates like numpy', () => {
  assert.equal(quantile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantile([1, 2, 3, 4], 0.75), 3.25);
  assert.equal(quantile([7], 0.9), 7);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});

test('the moving median removes a one-frame spike and keeps a step', () => {
  const spiky = smoothProbabilities(series([0.1, 0.1, 0.95, 0.1, 0.1]), 1);
  assert.deepEqual(
    spiky.map((p) => p.probability),
    [0.1, 0.1, 0.1, 0.1, 0.1],
  );
  const step = smoothProbabilities(series([0.1, 0.1, 0.1, 0.1, 0.9, 0.9, 0.9, 0.9]), 1);
  assert.equal(step.at(0)!.probability, 0.1);
  assert.equal(step.at(-1)!.probability, 0.9);
});

test('a track manipulated for a third of its time is flagged; a real one with glitches is not', () => {
  const partial = scoreTrack(1, series([...new Array(20).fill(0.1), ...new Array(10).fill(0.9)]));
  assert.ok(partial.score > 0.65, `partial swap score ${partial.score}`);
  const glitchy = scoreTrack(2, series([0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.9, 0.1, 0.1, 0.1, 0.1, 0.1]));
  assert.ok(glitchy.score < 0.35, `glitchy real score ${glitchy.score}`);
});

test('the video verdict is the worst decisive track; short tracks do not decide', () => {
  const real = scoreTrack(1, series(new Array(10).fill(0.1)));
  const fake = scoreTrack(2, series(new Array(10).fill(0.8)));
  const blip = scoreTrack(3, series([0.99, 0.99]));
  const verdict = videoVerdict([real, fake, blip]);
  assert.equal(verdict.decidingTrackId, 2);
  assert.equal(verdict.label, 'likely-manipulated');
  assert.equal(verdict.strength, 'strong');
  assert.equal(videoVerdict([blip]).label, 'not-enough-evidence');
  assert.equal(videoVerdict([]).decidingTrackId, null);
});

test('AUC: perfect, inverted, random-tied and a hand-computed case', () => {
  assert.equal(
    rocAuc([
      { score: 0.9, label: 1 },
      { score: 0.1, label: 0 },
    ]),
    1,
  );
  assert.equal(
    rocAuc([
      { score: 0.1, label: 1 },
      { score: 0.9, label: 0 },
    ]),
    0,
  );
  assert.equal(
    rocAuc([
      { score: 0.5, label: 1 },
      { score: 0.5, label: 0 },
    ]),
    0.5,
  );
  // Positives 0.8, 0.4; negatives 0.6, 0.2: pairs won 3 of 4.
  const samples = [
    { score: 0.8, label: 1 as const },
    { score: 0.4, label: 1 as const },
    { score: 0.6, label: 0 as const },
    { score: 0.2, label: 0 as const },
  ];
  assert.equal(rocAuc(samples), 0.75);
  const curve = rocCurve(samples);
  assert.deepEqual(curve.at(-1), { threshold: 0.2, falsePositiveRate: 1, truePositiveRate: 1 });
  assert.deepEqual(statsAtThreshold(samples, 0.5), {
    accuracy: 0.5,
    falsePositiveRate: 0.5,
    truePositiveRate: 0.5,
  });
});

test('ECE is zero for calibrated bins and large for confident mistakes', () => {
  // 10 samples at 0.25 of which 3 are positive: 0.05 off.
  const offByFivePoints = Array.from({ length: 10 }, (_, i) => ({
    score: 0.25,
    label: (i < 3 ? 1 : 0) as 0 | 1,
  }));
  const exact = [
    { score: 0.25, label: 1 as const },
    { score: 0.25, label: 0 as const },
    { score: 0.25, label: 0 as const },
    { score: 0.25, label: 0 as const },
  ];
  assert.ok(Math.abs(expectedCalibrationError(exact)) < 1e-12);
  assert.ok(Math.abs(expectedCalibrationError(offByFivePoints) - 0.05) < 1e-12);
  const wrong = [
    { score: 0.95, label: 0 as const },
    { score: 0.05, label: 1 as const },
  ];
  assert.ok(expectedCalibrationError(wrong) > 0.9);
});

test('Platt scaling recovers the slope and offset that generated the labels', () => {
  // Deterministic labels: for each logit z, a fraction σ(2z − 1) of 200 copies are positive.
  const logits: number[] = [];
  const labels: (0 | 1)[] = [];
  for (let z = -3; z <= 3; z += 0.25) {
    const positives = Math.round(200 * sigmoid(2 * z - 1));
    for (let k = 0; k < 200; k++) {
      logits.push(z);
      labels.push(k < positives ? 1 : 0);
    }
  }
  const fit = fitPlatt(logits, labels);
  assert.ok(Math.abs(fit.a - 2) < 0.05, `a = ${fit.a}`);
  assert.ok(Math.abs(fit.b + 1) < 0.05, `b = ${fit.b}`);
  assert.ok(Math.abs(applyCalibration(fit, 0.5) - 0.5) < 0.02);
  assert.throws(() => fitPlatt([1, 2], [1, 1]), /both classes/);
});

test('Platt scaling stays finite on nearly separable, widely spread logits', () => {
  const logits: number[] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < 200; i++) {
    logits.push(-8 + (i % 40) * 0.1);
    labels.push(0);
    logits.push(2 + (i % 50) * 0.3);
    labels.push(1);
  }
  logits.push(3);
  labels.push(0);
  const fit = fitPlatt(logits, labels);
  assert.ok(Number.isFinite(fit.a) && Math.abs(fit.a) < 50, `a = ${fit.a}`);
  assert.ok(applyCalibration(fit, 10) > 0.9 && applyCalibration(fit, -6) < 0.1);
});
