import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../util/random.ts';
import { aucStandardError, rocAuc } from './metrics.ts';

test('the AUC standard error matches Hanley–McNeil and the spread of simulated AUCs', () => {
  // Hanley & McNeil's formula at AUC 0.5 with 100 + 100 samples: sqrt((0.25 + 99/6) / 100²) ≈ 0.0409.
  assert.ok(Math.abs(aucStandardError(0.5, 100, 100) - 0.0409) < 5e-4);
  assert.ok(aucStandardError(0.8, 400, 400) < aucStandardError(0.8, 100, 100));
  // Binormal scores with AUC Φ(1/√2·d): the standard deviation of 300 simulated AUCs is close to the formula.
  const random = createRandom(7);
  const aucs: number[] = [];
  for (let run = 0; run < 300; run++) {
    const samples = [
      ...Array.from({ length: 60 }, () => ({ score: random.normal() + 1.2, label: 1 as const })),
      ...Array.from({ length: 60 }, () => ({ score: random.normal(), label: 0 as const })),
    ];
    aucs.push(rocAuc(samples));
  }
  const mean = aucs.reduce((s, a) => s + a, 0) / aucs.length;
  const sd = Math.sqrt(aucs.reduce((s, a) => s + (a - mean) ** 2, 0) / (aucs.length - 1));
  const predicted = aucStandardError(mean, 60, 60);
  assert.ok(
    Math.abs(sd - predicted) / predicted < 0.2,
    `simulated ${sd.toFixed(4)} vs formula ${predicted.toFixed(4)}`,
  );
});
