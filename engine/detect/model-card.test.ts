import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeModelCard } from './model-card.ts';
import { DEFAULT_TRAIN_DETECTOR, type TrainDetectorResult } from './train-detector.ts';

const { maxMinutes: _unbounded, ...settings } = DEFAULT_TRAIN_DETECTOR;

async function cardFor(sessions: TrainDetectorResult['sessions']): Promise<string> {
  const out = await mkdtemp(join(tmpdir(), 'unmask-card-'));
  const modelDir = join(out, 'model');
  await mkdir(modelDir);
  await writeFile(join(modelDir, 'weights.bin'), 'w');
  const result: TrainDetectorResult = {
    modelDir,
    steps: 36,
    validationAuc: 0.9,
    supervisedValidationAuc: Number.NaN,
    calibration: { method: 'platt', a: 1, b: 0 },
    calibratedOn: 'self-blends',
    log: [],
    sessions,
    trainGroups: [],
    validationGroups: [],
  };
  const config = { ...sessions.at(-1)!.config, maxMinutes: Number.POSITIVE_INFINITY };
  await writeModelCard({
    out,
    result,
    config,
    data: {},
    datasetReports: [],
    backend: 'cpu',
    command: ['train-detector', '--steps', String(config.steps)],
  });
  return readFile(join(out, 'model-card.md'), 'utf8');
}

test('a model card lists the settings that changed between training sessions', async () => {
  const first = { ...settings, steps: 30 };
  const card = await cardFor([
    { fromStep: 0, config: first },
    { fromStep: 30, config: { ...first, steps: 36, learningRate: 1e-3 } },
  ]);
  assert.match(card, /## Sessions/);
  assert.match(card, /\| steps \| steps \| learningRate \|/);
  assert.match(card, /\| 1–30 \| 30 \| 0\.002 \|/);
  assert.match(card, /\| 31–end \| 36 \| 0\.001 \|/);
  assert.doesNotMatch(card, /\| seed/, 'unchanged settings are not repeated');
});

test('a model card of one session has no sessions table', async () => {
  const card = await cardFor([{ fromStep: 0, config: settings }]);
  assert.doesNotMatch(card, /## Sessions/);
  assert.match(card, /npx unmask train-detector --steps 3000/);
});
