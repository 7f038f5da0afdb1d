import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { displayMap } from '../imaging/heatmap.ts';
import { decodePng } from '../imaging/png.ts';
import { QUIET_CHROMIUM_ARGS, requireChromium } from '../runtime/chromium.ts';
import { scanDamage } from '../scan/scan-damage.ts';
import type { ScanResult } from '../scan/scan-result.ts';
import { scanCaveats } from '../scan/verdict-basis.ts';
import { scannedFixture } from '../testing/scanned-fixture.ts';
import { describeSampling } from '../video/describe-sampling.ts';
import { CONSENT_WARNING_TEXT, TONE_COLOURS } from '../detect/verdict.ts';
import { buildReport } from './build-report.ts';
import { exportReport, reportFor, reportHtmlFor } from './export-report.ts';
import { collectReportImages, faceImageKey } from './report-images.ts';
import { parseReport } from './report-format.ts';
import { renderReportHtml } from './render-html.ts';
import { reportJsonSchemaText } from './report-json-schema.ts';
import { formatTime, MAX_TIME_TICKS, timeAxisTicks } from './timeline-chart.ts';

const freshDir = () => mkdtempSync(join(tmpdir(), 'unmask-report-'));

/** The scan with its first person flagged, as a swapped clip would be. */
function flagged(scan: ScanResult): ScanResult {
  const copy = structuredClone(scan);
  const track = copy.tracks[0]!;
  Object.assign(track, { label: 'likely-manipulated', score: 0.91, strength: 'very strong' });
  Object.assign(copy.verdict, {
    label: 'likely-manipulated',
    score: 0.91,
    strength: 'very strong',
    decidingTrackId: track.id,
  });
  return copy;
}

test('a report of a real scan validates; a broken one does not', async () => {
  const scan = await scannedFixture('one-face');
  const report = reportFor({ scan }, '2026-01-01T00:00:00.000Z');
  assert.equal(report.input.sha256, scan.input.sha256);
  assert.equal(report.people.length, scan.tracks.length);
  assert.equal(report.people[0]!.timeline.length, scan.tracks[0]!.scoredFrames);
  assert.ok(report.people[0]!.worstFrames.length === 3);
  const probabilities = report.people[0]!.worstFrames.map((f) => f.probability);
  assert.deepEqual(
    probabilities,
    probabilities.slice().sort((a, b) => b - a),
    'worst first',
  );
  assert.equal(report.container.width, 640);
  assert.equal(report.provenance.aiGenerated, false, 'the fixture says ai_generated=false');
  assert.deepEqual(report.provenance.aiTags, [
    { tag: 'ai_generated', value: 'false', says: 'not-ai-generated' },
  ]);
  assert.equal(report.consentWarning.shown, false);
  assert.deepEqual(parseReport(JSON.parse(JSON.stringify(report))), report);

  const broken = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  (broken['input'] as Record<string, unknown>)['sha256'] = 'not-a-hash';
  assert.throws(() => parseReport(broken));
  const noVerdict = { ...JSON.parse(JSON.stringify(report)), verdict: undefined };
  assert.throws(() => parseReport(noVerdict));
});

test('reports are deterministic: same scan, same JSON but the generation time; rescans differ only in timing', async () => {
  const scan = await scannedFixture('one-face');
  const a = reportFor({ scan, caseId: 'case-x' }, '2026-01-01T00:00:00.000Z');
  const b = reportFor({ scan: structuredClone(scan), caseId: 'case-x' }, '2026-06-01T12:00:00.000Z');
  assert.notEqual(a.generatedAt, b.generatedAt);
  assert.deepEqual({ ...a, generatedAt: '' }, { ...b, generatedAt: '' });

  const rescan = structuredClone(scan);
  rescan.run = { startedAt: '2030-01-01T00:00:00.000Z', durationSec: 99 };
  const c = reportFor({ scan: rescan, caseId: 'case-x' }, a.generatedAt);
  assert.deepEqual({ ...c, scan: a.scan }, a);
});

test('a flagged scan carries the consent warning in the report and its HTML', async () => {
  const scan = flagged(await scannedFixture('one-face'));
  const report = buildReport(scan, { generatedAt: '2026-01-01T00:00:00.000Z' });
  assert.equal(report.consentWarning.shown, true);
  const { html } = await reportHtmlFor({ scan });
  assert.match(html, /data-field="consent-warning"/);
  assert.ok(html.includes(CONSENT_WARNING_TEXT.slice(0, 60)));
  assert.match(html, /Likely manipulated/);
  const sampledAs = `Sampled: ${describeSampling(scan.settings.sampling)};`;
  assert.ok(html.includes(sampledAs), `the reproduce section says "${sampledAs}"`);
  assert.doesNotMatch(html, /Sampling: \{/);
});

test('person cards say what the app says: no strength for a clear score, no score for too few frames', async () => {
  const scan = structuredClone(await scannedFixture('one-face'));
  const track = scan.tracks[0]!;
  // As a stored case from before the verdict vocabulary might have it: a strength on a person who decides nothing.
  Object.assign(track, { label: 'not-enough-evidence', score: 0.72, strength: 'strong', decisive: false });
  Object.assign(track, { scoredFrames: 1 });
  const report = buildReport(scan, { generatedAt: '2026-01-01T00:00:00.000Z' });
  assert.equal(report.people[0]!.strength, null);
  const html = renderReportHtml(report, { faces: new Map(), contexts: new Map(), unavailable: null });
  const pill = /<span class="pill" data-field="person-verdict" style="background:([^"]+)">([^<]+)</.exec(
    html,
  )!;
  assert.equal(pill[2], 'Not enough evidence');
  assert.equal(pill[1], TONE_COLOURS.neutral.light, "the pill has the label's tone, not the score's");
  assert.match(html, /Judged in only 1 frame: too few to count towards the verdict\./);

  Object.assign(track, { label: 'no-manipulation-detected', score: 0.12, strength: 'weak', decisive: true });
  Object.assign(track, { scoredFrames: 9 });
  const clear = renderReportHtml(buildReport(scan, { generatedAt: '2026-01-01T00:00:00.000Z' }), {
    faces: new Map(),
    contexts: new Map(),
    unavailable: null,
  });
  assert.match(clear, />No manipulation detected · 12%</);
  assert.match(clear, /No manipulation detected in 9 judged frames\./);
  assert.doesNotMatch(clear, /weak evidence/);
});

test('caveats are plain sentences inside the verdict box', async () => {
  const scan = structuredClone(await scannedFixture('one-face'));
  scan.verdict.caveats = [
    'The verdict rests on only 2 judged frames of person 1; with fewer than 8 it can turn.',
  ];
  const report = buildReport(scan, { generatedAt: '2026-01-01T00:00:00.000Z' });
  assert.deepEqual(report.verdict.caveats, scan.verdict.caveats);
  const html = renderReportHtml(report, { faces: new Map(), contexts: new Map(), unavailable: null });
  const box = /<section class="verdict[^"]*" data-field="verdict">([\s\S]*?)<\/section>/.exec(html)![1]!;
  assert.match(box, /<ul class="caveats" data-field="caveats"><li>The verdict rests on only 2 judged frames/);
});

test('files that declare themselves AI-generated are shown as such', async () => {
  const scan = await scannedFixture('one-face');
  (scan.probe as { tags: Record<string, string> }).tags['ai_generated'] = 'true';
  const { report, html } = await reportHtmlFor({ scan });
  assert.equal(report.provenance.aiGenerated, true);
  assert.match(html, /The file declares itself AI-generated\./);
  assert.match(html, /ai_generated=true<\/span> \(declares it AI-generated\)/);
});

test('face pictures come from the input only while its SHA-256 still matches', async () => {
  const scan = await scannedFixture('one-face');
  const { html } = await reportHtmlFor({ scan });
  assert.equal((html.match(/<img src="data:image\/png;base64,/g) ?? []).length, 3);
  const dir = freshDir();
  const changed = join(dir, 'changed.mp4');
  copyFileSync(scan.input.path, changed);
  writeFileSync(changed, Buffer.concat([readFileSync(changed), Buffer.from('tampered')]));
  const moved = { ...scan, input: { ...scan.input, path: changed } };
  const { html: withoutPictures } = await reportHtmlFor({ scan: moved });
  assert.equal((withoutPictures.match(/<img /g) ?? []).length, 0);
  assert.match(withoutPictures, /has changed since the scan \(SHA-256 differs\)/);
});

test('report pictures show the map: where it is hottest the overlay differs clearly from the crop', async () => {
  const scan = await scannedFixture('one-face');
  const report = reportFor({ scan }, '2026-01-01T00:00:00.000Z');
  const images = await collectReportImages(scan, report);
  const frames = report.people[0]!.worstFrames.filter((f) => f.heatmap);
  assert.ok(frames.length > 0, 'the fixture scan keeps maps');
  for (const frame of frames) {
    const url = images.faces.get(faceImageKey(report.people[0]!.trackId, frame.frameIndex))!;
    const picture = decodePng(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
    const size = 192;
    const { size: cells, values } = frame.heatmap!;
    // Where the drawn map is hottest (its smoothed maximum).
    const drawn = displayMap(values, cells, size).data;
    const hottest = drawn.indexOf(Math.max(...drawn));
    const [x, y] = [hottest % size, Math.floor(hottest / size)];
    const at = (px: number) => [
      ...picture.data.subarray((y * picture.width + px) * 3, (y * picture.width + px) * 3 + 3),
    ];
    const crop = at(x);
    const overlay = at(size + 4 + x);
    const difference = Math.max(...crop.map((v, i) => Math.abs(v - overlay[i]!)));
    assert.ok(
      difference > 80,
      `frame ${frame.frameIndex}: ${crop} → ${overlay} (map up to ${Math.max(...values)})`,
    );
  }
  const html = renderReportHtml(report, images);
  assert.match(html, /boundary map \d\.\d\d–\d\.\d\d \(of 0–1\), stretched over the colour bar/);
});

test('the HTML renders in Chromium: verdict box in its colour, timeline, pictures loaded, hash shown', async () => {
  const scan = flagged(await scannedFixture('one-face'));
  const { report, html } = await reportHtmlFor({ scan });
  const browser = await chromium.launch({ executablePath: requireChromium(), args: QUIET_CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await page.setContent(html, { waitUntil: 'load' });
    assert.equal(await page.locator('[data-field="sha256"]').textContent(), report.input.sha256);
    // The per-person chart fits inside its card at 1440 px.
    const card = (await page.locator('article.person').first().boundingBox())!;
    const chart = (await page.locator('article.person > svg').first().boundingBox())!;
    assert.ok(
      chart.x >= card.x && chart.x + chart.width <= card.x + card.width,
      `chart ${chart.x}–${chart.x + chart.width} inside card ${card.x}–${card.x + card.width}`,
    );
    assert.equal(await page.locator('article.person svg circle').count(), report.people[0]!.timeline.length);
    const loaded = await page
      .locator('figure img:not(.context)')
      .evaluateAll((images) =>
        images.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      );
    assert.equal(loaded.length, 3);
    assert.ok(
      loaded.every((w) => w > 0),
      `pictures decode: ${loaded.join(', ')}`,
    );
    const contexts = await page
      .locator('figure img.context')
      .evaluateAll((images) =>
        images.map((img) => (img as unknown as { naturalWidth: number }).naturalWidth),
      );
    assert.deepEqual(contexts, [320, 320, 320], 'a whole-frame picture beside each crop');
    const box = (await page.locator('[data-field="verdict"]').boundingBox())!;
    const shot = decodePng(await page.screenshot({ fullPage: true }));
    const dir = freshDir();
    writeFileSync(join(dir, 'report.png'), await page.screenshot({ fullPage: true }));
    // Sample inside the verdict box, below its text: the "likely manipulated" tint (#fef2f2).
    const x = Math.round(box.x + box.width - 20);
    const y = Math.round(box.y + 12);
    const at = (y * shot.width + x) * 3;
    assert.deepEqual([...shot.data.subarray(at, at + 3)], [0xfe, 0xf2, 0xf2], `verdict tint at ${x},${y}`);
  } finally {
    await browser.close();
  }
});

test('the PDF has pages, a header with case number and hash, the analyst on every page, and the verdict in its text', async () => {
  const scan = flagged(await scannedFixture('one-face'));
  const out = join(freshDir(), 'report.pdf');
  const analyst = { name: 'Dana Reyes', organisation: 'Verification Desk' };
  const report = await exportReport({ scan, caseId: 'case-0123456789ab', analyst }, 'pdf', out);
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [out], { encoding: 'utf8' }))![1]);
  assert.ok(pages >= 2, `${pages} pages`);
  const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' });
  assert.match(text, /Likely manipulated/);
  assert.ok(text.includes(report.input.sha256), 'full SHA-256 in the text');
  const headers = text.match(/Unmask report · case 0123456789ab/g) ?? [];
  assert.equal(headers.length, pages, 'the case id heads every page');
  const analysts = text.match(/Prepared by Dana Reyes, Verification Desk/g) ?? [];
  assert.equal(analysts.length, pages + 1, 'the analyst foots every page, and is named under the title');
  assert.match(text, new RegExp(`page ${pages} of ${pages}`));
});

test('a container that claims a duration of 1e12 s changes neither the size of the report nor its axis', async () => {
  const scan = await scannedFixture('one-face');
  const { html: normal } = await reportHtmlFor({ scan });
  for (const claimed of [1e9, 1e12, 1e15]) {
    const hostile = structuredClone(scan);
    (hostile.probe as { durationSec: number }).durationSec = claimed;
    const { report, html } = await reportHtmlFor({ scan: hostile });
    assert.ok(
      html.length < normal.length + 2000,
      `${claimed} s: ${html.length} against ${normal.length} chars`,
    );
    const ticks = html.split('</svg>')[0]!.match(/text-anchor="middle" fill="#374151">/g) ?? [];
    assert.ok(ticks.length <= MAX_TIME_TICKS + 1, `${ticks.length} time labels`);
    const lastFrame = scan.frames.at(-1)!.timeSec;
    assert.ok(
      report.summary.timelineEndSec <= lastFrame + 1,
      `axis ends at ${report.summary.timelineEndSec} s`,
    );
    assert.equal(report.container.durationSec, claimed, 'the claim itself is still reported');
  }
});

test('a damaged input is named first among the verdict caveats, with its missing time ranges', async () => {
  const scan = await scannedFixture('one-face');
  assert.equal(reportFor({ scan }).damage, null);
  scan.damage = scanDamage(12, ['Invalid NAL unit size'], [{ fromSec: 1.2, toSec: 2.6 }]);
  scan.verdict.caveats = scanCaveats(scan);
  const { report, html } = await reportHtmlFor({ scan });
  assert.deepEqual(report.damage, { decodeErrors: 12, missing: [{ fromSec: 1.2, toSec: 2.6 }] });
  assert.equal(report.verdict.caveats[0], scan.damage!.caveat);
  assert.match(
    html,
    /data-field="caveats"><li data-field="damage"><strong>The file is damaged: ffmpeg reported 12 decode errors and no frame could be decoded from 1\.2 s to 2\.6 s/,
  );
  assert.equal(html.split(scan.damage!.caveat).length, 2, 'said once');
  assert.ok(html.indexOf('data-field="damage"') < html.indexOf('<h2>People</h2>'));
});

test('time axes have a bounded number of round ticks for any duration', () => {
  for (const duration of [0.001, 0.3, 4, 59, 61, 3599, 3601, 86_400, 1e9, 1e12, 1e15, 1e300]) {
    const ticks = timeAxisTicks(duration);
    assert.ok(ticks.length >= 1 && ticks.length <= MAX_TIME_TICKS, `${duration} s: ${ticks.length} ticks`);
    assert.equal(ticks[0], 0);
    assert.ok(ticks.at(-1)! <= duration + 1e-9 * duration);
    if (duration >= 1) assert.ok(ticks.length >= 3, `${duration} s: ${ticks.length} ticks`);
  }
  assert.deepEqual(timeAxisTicks(4), [0, 1, 2, 3, 4]);
  assert.deepEqual(timeAxisTicks(7200), [0, 1200, 2400, 3600, 4800, 6000, 7200]);
  assert.equal(formatTime(3725), '1:02:05');
  assert.equal(formatTime(125), '2:05');
});

test('docs/report-format.schema.json is current (regenerate with npm run docs:schema)', () => {
  const committed = readFileSync(new URL('../../docs/report-format.schema.json', import.meta.url), 'utf8');
  assert.equal(committed, reportJsonSchemaText());
});

test('content credentials found in the input are shown', async () => {
  const scan = await scannedFixture('one-face');
  const summary = 'A C2PA manifest store (1,024 bytes) is embedded at byte 159,958.';
  const { report, html } = await reportHtmlFor({
    scan,
    provenance: { contentCredentials: { present: true, summary } },
  });
  assert.deepEqual(report.provenance.contentCredentials, { present: true, summary });
  assert.match(html, /Content credentials \(C2PA\) found/);
  assert.ok(html.includes(summary));
});

test('the analyst and organisation are optional, trimmed, and shown under the case number', async () => {
  const scan = await scannedFixture('one-face');
  assert.deepEqual(reportFor({ scan }).analyst, { name: null, organisation: null });
  const source = { scan, caseId: 'case-0123456789ab', analyst: { name: '  Dana Reyes ', organisation: '' } };
  assert.deepEqual(reportFor(source).analyst, { name: 'Dana Reyes', organisation: null });
  const { html } = await reportHtmlFor(source);
  assert.match(html, /Case <span class="mono" data-field="case-id">0123456789ab<\/span>/);
  assert.match(html, /data-field="analyst">Prepared by Dana Reyes</);
  assert.doesNotMatch((await reportHtmlFor({ scan })).html, /data-field="analyst"/);
});

test('each worst frame has a context picture: the whole frame, 320 px wide, with the face boxed in yellow', async () => {
  const scan = await scannedFixture('one-face');
  const report = reportFor({ scan }, '2026-01-01T00:00:00.000Z');
  const images = await collectReportImages(scan, report);
  const person = report.people[0]!;
  assert.equal(images.contexts.size, person.worstFrames.length);
  for (const frame of person.worstFrames) {
    const url = images.contexts.get(faceImageKey(person.trackId, frame.frameIndex))!;
    const picture = decodePng(Buffer.from(url.replace(/^data:image\/png;base64,/, ''), 'base64'));
    assert.equal(picture.width, 320);
    const k = 320 / report.container.width!;
    // The box's top-left corner, where the outline is drawn.
    const at = (Math.round(frame.box.y * k) * picture.width + Math.round(frame.box.x * k)) * 3;
    assert.deepEqual([...picture.data.subarray(at, at + 3)], [250, 204, 21], `frame ${frame.frameIndex}`);
  }
});
