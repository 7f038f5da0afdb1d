import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aiGeneratedTags, provenanceFromProbe } from './provenance.ts';

test('AI-generated declarations are found in container and stream tags; negative ones are not', () => {
  const probe = {
    tags: { ai_generated: 'true', comment: 'holiday', encoder: 'Lavf61' },
    video: {
      tags: { DigitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' },
    },
    audio: { tags: { ai_generated: 'false' } },
  };
  assert.deepEqual(aiGeneratedTags(probe), {
    ai_generated: 'true',
    'video.DigitalSourceType': 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
  });
  assert.deepEqual(
    provenanceFromProbe({ tags: { ai_generated: 'false', comment: 'Synthetic media by Unmask' } }),
    {
      aiGeneratedTags: { comment: 'Synthetic media by Unmask' },
    },
  );
  assert.deepEqual(provenanceFromProbe({ tags: { encoder: 'Lavf61' } }), {});
  assert.deepEqual(provenanceFromProbe(undefined), {});
});
