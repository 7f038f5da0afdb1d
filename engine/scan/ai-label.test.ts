import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readAiLabel } from './ai-label.ts';

test('the ai_generated container tag is read, with the generator and consent when present', () => {
  assert.equal(readAiLabel({ encoder: 'Lavf58' }), undefined);
  assert.deepEqual(readAiLabel({ ai_generated: 'false' }), {
    aiGenerated: false,
    tag: 'ai_generated',
    value: 'false',
    generator: null,
    consent: null,
  });
  const label = readAiLabel({
    AI_GENERATED: 'true',
    unmask_generator: 'unmask 0.1.0 swap render',
    unmask_consent: 'A and B agreed',
  });
  assert.equal(label?.aiGenerated, true);
  assert.equal(label?.tag, 'AI_GENERATED');
  assert.equal(label?.generator, 'unmask 0.1.0 swap render');
  assert.equal(label?.consent, 'A and B agreed');
  assert.equal(readAiLabel({ synthetic: 'yes' })?.aiGenerated, true);
});
