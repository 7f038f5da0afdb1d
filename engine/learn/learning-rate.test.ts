import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineDecay, warmupCosine } from './learning-rate.ts';

test('cosine decay runs from the base rate to the final fraction, halfway at the midpoint', () => {
  assert.equal(cosineDecay(0.01, 0, 0.1), 0.01);
  assert.ok(Math.abs(cosineDecay(0.01, 1, 0.1) - 0.001) < 1e-12);
  assert.ok(Math.abs(cosineDecay(0.01, 0.5, 0.1) - 0.0055) < 1e-12);
  assert.ok(Math.abs(cosineDecay(0.01, 7, 0.1) - 0.001) < 1e-12, 'past the end it stays at the floor');
});

test('with decayFrom the rate is flat, then decays monotonically over the rest of the run', () => {
  const rates = Array.from({ length: 101 }, (_, i) => cosineDecay(5e-4, i / 100, 0.1, 0.9));
  assert.ok(rates.slice(0, 91).every((r) => r === 5e-4));
  for (let i = 91; i <= 100; i++) assert.ok(rates[i]! < rates[i - 1]!, `decreasing at ${i}`);
  assert.ok(Math.abs(rates[100]! - 5e-5) < 1e-15);
});

test('warm-up rises linearly to the cosine schedule, then follows it', () => {
  assert.equal(warmupCosine(1e-3, 0, 100, 10, 0.1), cosineDecay(1e-3, 0, 0.1) / 10);
  assert.ok(Math.abs(warmupCosine(1e-3, 4, 100, 10, 0.1) - (cosineDecay(1e-3, 0.04, 0.1) * 5) / 10) < 1e-15);
  assert.equal(warmupCosine(1e-3, 10, 100, 10, 0.1), cosineDecay(1e-3, 0.1, 0.1));
  assert.equal(warmupCosine(1e-3, 50, 100, 0, 0.1), cosineDecay(1e-3, 0.5, 0.1));
});
