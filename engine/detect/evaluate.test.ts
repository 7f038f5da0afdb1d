import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePng } from '../imaging/png.ts';
import { renderSvgToPng } from '../imaging/svg-to-png.ts';
import { rocChartSvg } from '../report/roc-chart.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import { evaluateScans, frameScores } from './evaluate.ts';

/** Just the parts of a scan that evaluation reads. */
function fakeScan(perFrame: Array<Array<number | null>>, videoScore: number | null): ScanResult {
  return {
    frames: perFrame.map((faces, index) => ({
      index,
      timeSec: index,
      faces: faces.map((probability) => ({ manipulation: { probability } })),
    })),
    verdict: { score: videoScore },
  } as unknown as ScanResult;
}

test('frame scores take the highest judged face per frame and skip frames with none', () => {
  assert.deepEqual(frameScores(fakeScan([[0.2, 0.7], [null], [], [0.4]], 0.5)), [0.7, 0.4]);
});

test('evaluation separates levels, counts unjudged videos and applies the flag threshold', () => {
  const summary = evaluateScans([
    { label: 0, scan: fakeScan([[0.1], [0.2]], 0.15) },
    { label: 0, scan: fakeScan([[0.7], [0.3]], 0.7) },
    { label: 1, scan: fakeScan([[0.9], [0.8]], 0.85) },
    { label: 1, scan: fakeScan([[0.6]], 0.6) },
    { label: 1, scan: fakeScan([[null]], null) },
  ]);
  assert.deepEqual(summary.videos, { real: 2, fake: 3, unjudged: 1 });
  assert.equal(summary.frameLevel.samples, 7);
  assert.equal(summary.videoLevel.samples, 4);
  // Video scores: real 0.15, 0.7; fake 0.85, 0.6 → pairs won: (0.85>0.15, 0.85>0.7, 0.6>0.15) = 3 of 4.
  assert.equal(summary.videoLevel.auc, 0.75);
  assert.equal(summary.videoLevel.atFlagThreshold.falsePositiveRate, 0.5);
  assert.equal(summary.videoLevel.atFlagThreshold.truePositiveRate, 0.5);
});

test('the ROC chart is an SVG with one path per series that renders to a PNG', () => {
  const svg = rocChartSvg('Test ROC', [
    {
      label: 'video level',
      auc: 0.75,
      colour: '#b91c1c',
      points: [
        { threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 },
        { threshold: 0.5, falsePositiveRate: 0.5, truePositiveRate: 1 },
        { threshold: 0.1, falsePositiveRate: 1, truePositiveRate: 1 },
      ],
    },
  ]);
  assert.equal((svg.match(/<path /g) ?? []).length, 1);
  assert.match(svg, /AUC 0\.750/);
  const png = renderSvgToPng(svg);
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.ok(png.length > 2000);
});

test('a dashed ROC series drawn over an identical solid one leaves both colours visible', () => {
  const points = [
    { threshold: Infinity, falsePositiveRate: 0, truePositiveRate: 0 },
    { threshold: 0.5, falsePositiveRate: 0.33, truePositiveRate: 0 },
    { threshold: 0.4, falsePositiveRate: 0.33, truePositiveRate: 1 },
    { threshold: 0.1, falsePositiveRate: 1, truePositiveRate: 1 },
  ];
  const red = '#b91c1c';
  const orange = '#f59e0b';
  // The dashed series comes first in the list but must be drawn last.
  const svg = rocChartSvg('Overlap', [
    { label: 'video, CRF 35', auc: 0.667, colour: orange, points, dashed: true },
    { label: 'video level', auc: 0.667, colour: red, points },
  ]);
  const paths = svg.match(/<path [^>]*>/g) ?? [];
  assert.equal(paths.length, 2);
  assert.ok(paths[0]!.includes(red) && !paths[0]!.includes('dasharray'));
  assert.ok(paths[1]!.includes(orange) && paths[1]!.includes('stroke-dasharray'));
  const image = decodePng(renderSvgToPng(svg));
  let redPixels = 0;
  let orangePixels = 0;
  for (let i = 0; i < image.data.length; i += 3) {
    const [r, g, b] = [image.data[i]!, image.data[i + 1]!, image.data[i + 2]!];
    if (r > 150 && g < 60 && b < 60) redPixels++;
    if (r > 200 && g > 130 && g < 180 && b < 60) orangePixels++;
  }
  // Each curve is about 1,100 px long on the plot; both must show along a good part of it.
  assert.ok(redPixels > 300, `red curve visible (${redPixels} px)`);
  assert.ok(orangePixels > 300, `orange curve visible (${orangePixels} px)`);
});
