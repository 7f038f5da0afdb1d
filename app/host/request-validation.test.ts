import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SETTINGS,
  DEFAULT_TRAINING_OPTIONS,
  parseRequestArgs,
  REQUEST_CHANNELS,
  requestSchemas,
} from '../common/contract.ts';

test('a training request without the consent attestation is refused at the boundary', () => {
  assert.throws(
    () => parseRequestArgs('startTraining', { identityA: '/a.mp4', identityB: '/b.mp4' }),
    /Invalid startTraining request: consent/,
  );
  assert.throws(
    () =>
      parseRequestArgs('startTraining', {
        identityA: '/a.mp4',
        identityB: '/b.mp4',
        consent: {
          subjectsConsented: false,
          willLabelOutput: true,
          attestedBy: 'Ada',
          statement: 'Ada and Grace agreed to a demo swap.',
        },
      }),
    /consent\.subjectsConsented/,
  );
  assert.throws(
    () =>
      parseRequestArgs('startTraining', {
        identityA: '/a.mp4',
        identityB: '/b.mp4',
        consent: { subjectsConsented: true, willLabelOutput: true, attestedBy: 'Ada', statement: 'yes' },
      }),
    /consent\.statement say who consented/,
  );
  const ok = parseRequestArgs('startTraining', {
    identityA: '/a.mp4',
    identityB: '/b.mp4',
    consent: {
      subjectsConsented: true,
      willLabelOutput: true,
      attestedBy: '  Ada Lovelace ',
      statement: ' Ada and Grace agreed to a demo swap. ',
    },
    options: DEFAULT_TRAINING_OPTIONS,
  });
  assert.equal(ok.consent.attestedBy, 'Ada Lovelace');
  assert.equal(ok.consent.statement, 'Ada and Grace agreed to a demo swap.');
  assert.throws(
    () => parseRequestArgs('startTraining', { consent: ok.consent, options: DEFAULT_TRAINING_OPTIONS }),
    /needs identity A and B videos, or a project to resume/,
  );
  assert.throws(
    () => parseRequestArgs('startRender', { projectDir: '/p', mode: 'swap', input: '/a.mp4', identity: 'b' }),
    /Invalid startRender request: consent/,
  );
});

test('requests reject unknown fields and malformed ids', () => {
  assert.throws(() => parseRequestArgs('getAppInfo', { extra: 1 }), /Invalid getAppInfo request/);
  assert.throws(() => parseRequestArgs('cancelScan', { jobId: '../../etc' }), /jobId not a job id/);
  assert.deepEqual(parseRequestArgs('cancelScan', { jobId: 'scan-0123456789ab' }), {
    jobId: 'scan-0123456789ab',
  });
  assert.deepEqual(parseRequestArgs('listCases', undefined), {});
});

test('settings are range-checked and the defaults are valid', () => {
  assert.deepEqual(parseRequestArgs('saveSettings', DEFAULT_SETTINGS), DEFAULT_SETTINGS);
  // A client that predates the analyst fields still saves; they are trimmed and bounded.
  const { analystName: _a, organisation: _o, ...older } = DEFAULT_SETTINGS;
  assert.deepEqual(parseRequestArgs('saveSettings', older), DEFAULT_SETTINGS);
  assert.equal(
    parseRequestArgs('saveSettings', { ...DEFAULT_SETTINGS, analystName: '  Dana  ' }).analystName,
    'Dana',
  );
  assert.throws(
    () => parseRequestArgs('saveSettings', { ...DEFAULT_SETTINGS, organisation: 'x'.repeat(121) }),
    /organisation/,
  );
  assert.throws(() => parseRequestArgs('saveSettings', { ...DEFAULT_SETTINGS, sampleFps: 0 }), /sampleFps/);
  assert.throws(
    () => parseRequestArgs('saveSettings', { ...DEFAULT_SETTINGS, thresholdProfile: 'lax' }),
    /thresholdProfile/,
  );
});

test('every channel has a schema', () => {
  assert.deepEqual(REQUEST_CHANNELS.sort(), Object.keys(requestSchemas).sort());
});
