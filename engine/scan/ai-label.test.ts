import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildReport } from '../report/build-report.ts';
import { classifyAiTag, readAiLabel, readAiTags } from './ai-label.ts';
import type { ScanResult } from './scan-result.ts';

test('the ai_generated container tag is read, with the generator and consent when present', () => {
  assert.equal(readAiLabel({ tags: { encoder: 'Lavf58' } }), undefined);
  assert.deepEqual(readAiLabel({ tags: { ai_generated: 'false' } }), {
    aiGenerated: false,
    tag: 'ai_generated',
    value: 'false',
    generator: null,
    consent: null,
    tags: [{ tag: 'ai_generated', value: 'false', says: 'not-ai-generated' }],
  });
  const label = readAiLabel({
    tags: {
      AI_GENERATED: 'true',
      unmask_generator: 'unmask 0.1.0 swap render',
      unmask_consent: 'A and B agreed',
    },
  });
  assert.equal(label?.aiGenerated, true);
  assert.equal(label?.tag, 'AI_GENERATED');
  assert.equal(label?.generator, 'unmask 0.1.0 swap render');
  assert.equal(label?.consent, 'A and B agreed');
  assert.equal(readAiLabel({ tags: { synthetic: 'yes' } })?.aiGenerated, true);
});

test('what each kind of tag says', () => {
  const cases: Array<[string, string, string | null]> = [
    ['ai_generated', 'true', 'ai-generated'],
    ['AI-Generated', 'YES', 'ai-generated'],
    ['synthetic_content', '1', 'ai-generated'],
    ['synthetic', 'n', 'not-ai-generated'],
    ['ai_generated', '', 'not-ai-generated'],
    ['ai_generated', 'none', 'not-ai-generated'],
    ['ai_generated', 'maybe', 'unclear'],
    [
      'DigitalSourceType',
      'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      'ai-generated',
    ],
    ['DigitalSourceType', 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture', null],
    ['comment', 'deepfake demo', 'unclear'],
    ['comment', 'holiday', null],
    ['encoder', 'Lavf61', null],
  ];
  for (const [name, value, says] of cases) assert.equal(classifyAiTag(name, value), says, `${name}=${value}`);
});

test('stream tags are read too, prefixed with their stream', () => {
  const probe = {
    tags: { ai_generated: 'true', comment: 'holiday', encoder: 'Lavf61' },
    video: {
      tags: { DigitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' },
    },
    audio: { tags: { ai_generated: 'false' } },
  };
  assert.deepEqual(
    readAiTags(probe).map((t) => `${t.tag}:${t.says}`),
    [
      'ai_generated:ai-generated',
      'video.DigitalSourceType:ai-generated',
      'audio.ai_generated:not-ai-generated',
    ],
  );
  assert.deepEqual(readAiTags(undefined), []);
});

/** A scan of nothing but these container tags, enough for a report. */
function scanWithTags(tags: Record<string, string>): ScanResult {
  return {
    format: 'unmask.scan',
    formatVersion: 2,
    input: { path: '/x.mp4', fileName: 'x.mp4', sizeBytes: 1, sha256: '0'.repeat(64) },
    probe: { tags },
    settings: {
      sampling: { fps: 5 },
      detectionMaxSide: 640,
      minFaceSize: 64,
      heatmapThreshold: 0.35,
      heatmapSize: 12,
      faceDetector: {},
    },
    engine: {
      name: 'unmask',
      version: '0',
      tensorflowBackend: 'cpu',
      tfjsVersion: '0',
      ffmpeg: { path: '', source: '', version: '' },
      ffprobe: { path: '', source: '', version: '' },
      models: [],
    },
    ...(readAiLabel({ tags }) && { aiLabel: readAiLabel({ tags })! }),
    frames: [],
    tracks: [],
    verdict: {
      label: 'not-enough-evidence',
      score: null,
      strength: null,
      decidingTrackId: null,
      inconclusiveBand: [0.35, 0.65],
      method: '',
      caveats: [],
    },
    summary: { sampledFrames: 0, framesWithFaces: 0, faces: 0, tracks: 0, noFacesFound: true, message: '' },
    run: { startedAt: '', durationSec: 0 },
  };
}

test('the scan and the report agree on every tag the two old readers disagreed on', () => {
  // ai_generated=maybe, synthetic=n and comment="deepfake demo": the scan said "not AI-generated" while the
  // case and report listed an AI-generated tag. Now the scan's label and the report are read one way.
  const cases: Array<[Record<string, string>, boolean, string]> = [
    [{ ai_generated: 'maybe' }, false, 'unclear'],
    [{ synthetic: 'n' }, false, 'not-ai-generated'],
    [{ comment: 'deepfake demo' }, false, 'unclear'],
    [{ ai_generated: 'true', comment: 'SYNTHETIC: made with Unmask' }, true, 'ai-generated'],
  ];
  for (const [tags, aiGenerated, says] of cases) {
    const scan = scanWithTags(tags);
    const report = buildReport(scan, { generatedAt: '2026-01-01T00:00:00.000Z' });
    const what = JSON.stringify(tags);
    assert.equal(scan.aiLabel?.aiGenerated, aiGenerated, `scan: ${what}`);
    assert.equal(report.provenance.aiGenerated, aiGenerated, `report: ${what}`);
    assert.equal(scan.aiLabel?.tags?.[0]?.says, says, what);
    assert.deepEqual(report.provenance.aiTags, scan.aiLabel?.tags, `same tags: ${what}`);
  }
});
