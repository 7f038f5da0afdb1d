/**
 * End-to-end flows, run against Electron or Chromium + `unmask serve` by the same launcher. Every wait is on
 * a named app event or on the DOM, never a sleep.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { makeBlendedFixtureVideo, makeSpikeFixtureVideo } from '../engine/testing/blended-fixture.ts';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { startRedisServer } from '../engine/testing/redis-server.ts';
import { startUnmask } from '../engine/testing/run-cli.ts';
import { appEventCount, launchApp, waitForAppEvent, waitForCount, type LaunchedApp } from './launcher.ts';
import { analysisPage, batchPage, homePage, reportsPage, sidebar, studioPage } from './pages/app-pages.ts';

/** A training run small enough for CI: a few steps on a few faces sampled from short fixture clips. */
const QUICK_TRAINING = { steps: 4, previewEvery: 2, batchSize: 2, extractFps: 4, minFaces: 4 };

/** Runs one flow in a fresh app; keeps a screenshot and trace if it fails. */
async function withApp(t: TestContext, flow: (app: LaunchedApp) => Promise<void>): Promise<void> {
  const app = await launchApp();
  let failed = true;
  try {
    await flow(app);
    failed = false;
  } finally {
    await app.finish(t.name, failed);
  }
}

async function openVideo(app: LaunchedApp, path: string): Promise<number> {
  const since = await appEventCount(app.page);
  await app.openVideoWith(path, () => homePage(app.page).openButton.click());
  return since;
}

/**
 * Runs an export and answers where its file is: the browser's download (`unmask serve`), or the path Electron
 * saved it to.
 */
async function exportedFile(app: LaunchedApp, start: () => Promise<void>): Promise<string> {
  const since = await appEventCount(app.page);
  const download = app.kind === 'browser' ? app.page.waitForEvent('download') : null;
  await start();
  const exported = await waitForAppEvent(app.page, 'report-exported', since);
  return download ? (await (await download).path())! : String(exported['path']);
}

describe('Unmask app', () => {
  let oneFace: string;
  /** For scans a test interrupts: long enough that the scan cannot finish before the interruption lands. */
  let longFace: string;
  let corrupt: string;
  let blended: string;
  let spike: string;
  let portrait: string;
  before(async () => {
    oneFace = await makeFixtureVideo('one-face');
    longFace = await makeFixtureVideo('long-one-face');
    portrait = await makeFixtureVideo('portrait');
    corrupt = await makeFixtureVideo('text-as-mp4');
    blended = await makeBlendedFixtureVideo();
    spike = await makeSpikeFixtureVideo();
  });
  after(() => undefined);

  test('1: opening a video scans it: the timeline has points and face boxes are drawn', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, oneFace);
      const finished = await waitForAppEvent(app.page, 'scan-finished', since);
      const analysis = analysisPage(app.page);
      await analysis.root.and(app.page.locator('[data-status=finished]')).waitFor();
      assert.ok((await analysis.timelinePoints()) > 5, 'timeline has per-frame points');
      await waitForCount(app.page, 'face-overlay', 'data-boxes', 1);
      assert.ok((await analysis.boxesDrawn()) >= 1, 'a face box is drawn on the player');
      assert.equal(await analysis.personCards.count(), 1);
      // Keyboard: the timeline seeks too (End jumps to the last sampled frame, near 4 s).
      await app.page.getByTestId('timeline-plot').focus();
      await app.page.keyboard.press('End');
      assert.ok((await waitForCount(app.page, 'timeline-plot', 'aria-valuenow', 3)) <= 4);
      assert.match(String(finished['verdict']), /manipulated|inconclusive|no-manipulation|not-enough/);
      assert.equal(await analysis.verdict.getAttribute('data-verdict'), finished['verdict']);
      await sidebar(app.page).go('home');
      assert.equal(await homePage(app.page).caseRows.count(), 1, 'the case is listed on Home');
    });
  });

  test('2: a manipulated face shows the consent warning, which can be dismissed for the case', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, blended);
      await waitForAppEvent(app.page, 'consent-warning-shown', since);
      const finished = await waitForAppEvent(app.page, 'scan-finished', since);
      assert.equal(finished['verdict'], 'likely-manipulated');
      const analysis = analysisPage(app.page);
      await analysis.consentWarning.waitFor();
      assert.equal(await analysis.root.getAttribute('data-flagged-on-screen'), '1', 'person 1 is flagged');
      assert.match(await analysis.consentWarning.innerText(), /This face is likely manipulated/);
      assert.match(await analysis.consentWarning.innerText(), /very strong evidence of manipulation/);
      assert.match(await analysis.consentWarning.innerText(), /without their consent/);
      await app.page.getByTestId('dismiss-consent').click();
      await analysis.consentWarning.waitFor({ state: 'detached' });
      // Dismissed for this case: reopening the case from Home does not bring it back.
      await sidebar(app.page).go('home');
      const reopened = await appEventCount(app.page);
      await homePage(app.page).caseRows.first().click();
      await waitForAppEvent(app.page, 'consent-warning-suppressed', reopened);
      assert.equal(await analysis.consentWarning.count(), 0);
    });
  });

  test('11: a one-frame spike shows on the timeline and in the chips, never as a consent warning; its map zooms in', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, spike);
      const finished = await waitForAppEvent(app.page, 'scan-finished', since);
      assert.equal(finished['verdict'], 'no-manipulation-detected');
      const analysis = analysisPage(app.page);
      await analysis.root.and(app.page.locator('[data-status=finished]')).waitFor();
      // The spike is the person's highest-scoring frame, in the danger tone; seek to it like an analyst would.
      const top = analysis.frameChips.first();
      assert.match(await top.innerText(), /^0:02\.0 · 9\d%$/);
      assert.match((await top.getAttribute('class')) ?? '', /tone-danger/);
      await top.click();
      // Frame 10 (2.0 s) is on screen: its box reads 9x%, and the person's track is not flagged.
      assert.equal(await waitForCount(app.page, 'analysis-screen', 'data-shown-frame', 10), 10);
      assert.equal(await analysis.root.getAttribute('data-flagged-on-screen'), '');
      assert.equal(await analysis.consentWarning.count(), 0);
      const events = await app.page.evaluate(() => window.unmaskAppEvents!.map((e) => e.name));
      assert.ok(!events.includes('consent-warning-shown'), 'the warning was never shown, live or after');
      // The heatmap toggle zooms into that frame's face: the crop beside its map, drawn by the engine.
      await app.page.getByTestId('heatmap-toggle').check();
      assert.equal(await waitForCount(app.page, 'face-panel', 'data-pictures', 1), 1);
      assert.equal(await app.page.getByTestId('face-panel').getAttribute('data-frame'), '10');
      assert.match(await app.page.getByTestId('face-panel').innerText(), /Person 1 · 9\d% · boundary map/);
    });
  });

  test('12: the analysis screen as an analyst uses it: starts at the top, keyboard transport, shortcuts, timeline in view', async (t) => {
    await withApp(t, async (app) => {
      const { page } = app;
      for (const video of [oneFace, portrait]) {
        await sidebar(page).go('home');
        const since = await openVideo(app, video);
        await waitForAppEvent(page, 'scan-finished', since);
      }
      // A short window: the second case sits low in the Home list, below the drop zone.
      await page.setViewportSize({ width: 1360, height: 480 });
      await sidebar(page).go('home');
      const last = homePage(page).caseRows.last();
      await last.scrollIntoViewIfNeeded();
      const scrolled = await page
        .locator('#content')
        .evaluate((content) => (content as unknown as { scrollTop: number }).scrollTop);
      assert.ok(scrolled > 0, `the Home list was scrolled (${scrolled} px) to reach the case`);
      const opened = await appEventCount(page);
      await last.click();
      await waitForAppEvent(page, 'case-opened', opened);
      const analysis = analysisPage(page);
      await analysis.root.and(page.locator('[data-status=finished]')).waitFor();
      const title = (await analysis.title.boundingBox())!;
      assert.ok(title.y >= 0 && title.y + title.height <= 480, `the title is in view at y=${title.y}`);
      assert.ok(await analysis.verdict.isVisible(), 'the verdict is on screen');
      assert.ok(await analysis.exportButton.isVisible(), 'Export is on screen');

      // At 1440×900 the whole timeline is visible under the player, without scrolling.
      await page.setViewportSize({ width: 1440, height: 900 });
      const timeline = (await analysis.timeline.boundingBox())!;
      assert.ok(
        timeline.y + timeline.height <= 900,
        `the timeline ends at ${timeline.y + timeline.height} px`,
      );

      // Space plays and pauses; End, ← step sampled frames; ? lists the shortcuts.
      const stage = (playing: boolean) =>
        page.locator(`[data-testid=video-stage][data-playing=${playing}]`).waitFor();
      await stage(false);
      await page.keyboard.press('Space');
      await stage(true);
      await page.keyboard.press('Space');
      await stage(false);
      const shownFrame = (index: number) =>
        page.locator(`[data-testid=analysis-screen][data-shown-frame="${index}"]`).waitFor();
      const before = await analysis.root.getAttribute('data-shown-frame');
      await page.keyboard.press('End');
      await page.locator(`[data-testid=analysis-screen]:not([data-shown-frame="${before}"])`).waitFor();
      const end = Number(await analysis.root.getAttribute('data-shown-frame'));
      assert.ok(end >= 10, `End shows the last sampled frame (${end})`);
      await page.keyboard.press('ArrowLeft');
      await shownFrame(end - 1);
      await page.keyboard.press('?');
      const shortcuts = page.getByTestId('shortcuts');
      await shortcuts.waitFor();
      assert.match(await shortcuts.innerText(), /Space[\s\S]*Play or pause/);
      assert.match(await shortcuts.innerText(), /Ctrl[\s\S]*1…6/);
      await page.keyboard.press('Escape');
      await shortcuts.waitFor({ state: 'detached' });
    });
  });

  test('3: exporting a PDF from Analysis writes a paged report with the verdict and the SHA-256', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, blended);
      await waitForAppEvent(app.page, 'scan-finished', since);
      const path = await exportedFile(app, () => analysisPage(app.page).exportAs('pdf'));
      assert.ok((await stat(path)).size > 1000, 'the PDF has content');
      const sha256 = createHash('sha256')
        .update(await readFile(blended))
        .digest('hex');
      const info = execFileSync('pdfinfo', [path], { encoding: 'utf8' });
      assert.ok(Number(/Pages:\s+(\d+)/.exec(info)?.[1]) >= 1, 'the PDF has pages');
      const text = execFileSync('pdftotext', ['-layout', path, '-'], { encoding: 'utf8' });
      assert.match(text, /likely manipulated/i);
      assert.ok(text.includes(sha256), 'the SHA-256 of the input is in the PDF');
      assert.match(text, /consent/i, 'the consent warning is repeated in the export');
      await analysisPage(app.page).exportResult.waitFor();
    });
  });

  test('13: export in browser mode gives a download', async (t) => {
    await withApp(t, async (app) => {
      if (app.kind !== 'browser') return t.skip('Electron saves reports; only a browser downloads them');
      const { page } = app;
      const since = await openVideo(app, oneFace);
      await waitForAppEvent(page, 'scan-finished', since);
      const sha256 = createHash('sha256')
        .update(await readFile(oneFace))
        .digest('hex');
      // From Analysis, in the format chosen there; then from Reports.
      const downloaded = page.waitForEvent('download');
      await analysisPage(page).exportAs('html');
      const html = await downloaded;
      assert.equal(html.suggestedFilename(), 'one-face.unmask-report.html');
      assert.ok(
        (await readFile((await html.path())!, 'utf8')).includes(sha256),
        'the download is the report',
      );
      const notice = analysisPage(page).exportResult;
      assert.match(await notice.innerText(), /Downloaded\s+one-face\.unmask-report\.html/);
      assert.equal(await page.getByTestId('open-folder').count(), 0, 'no "Open folder" on the server');

      await sidebar(page).go('reports');
      const json = page.waitForEvent('download');
      await reportsPage(page).exportAs('json');
      const report = JSON.parse(await readFile((await (await json).path())!, 'utf8')) as {
        input: { sha256: string };
      };
      assert.equal(report.input.sha256, sha256);
    });
  });

  test('4: the studio refuses to train without consent', async (t) => {
    await withApp(t, async (app) => {
      await sidebar(app.page).go('studio');
      const studio = studioPage(app.page);
      await app.openVideoWith(oneFace, () => studio.pickA.click());
      await app.openVideoWith(oneFace, () => studio.pickB.click());
      const since = await appEventCount(app.page);
      await studio.train.click();
      const refused = await waitForAppEvent(app.page, 'training-refused', since);
      assert.equal(refused['reason'], 'no-consent');
      await studio.consentDialog.waitFor();
      // The host refuses too, whatever the UI does: a request without the attestation is invalid.
      const direct = await app.page.evaluate(() =>
        (window as unknown as { unmask: { startTraining(a: unknown): Promise<unknown> } }).unmask
          .startTraining({ identityA: '/a.mp4', identityB: '/b.mp4' })
          .then(
            () => 'accepted',
            (e: Error) => e.message,
          ),
      );
      assert.match(direct, /Invalid startTraining request: consent/);
    });
  });

  test('5: a corrupt file shows a clear error and the app stays usable', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, corrupt);
      const failed = await waitForAppEvent(app.page, 'scan-failed', since);
      assert.equal(failed['code'], 'inputNotMedia');
      const analysis = analysisPage(app.page);
      await analysis.errorState.waitFor();
      const message = await analysis.errorMessage.innerText();
      assert.match(message, /not .*media|cannot read|not a video/i);
      assert.ok(message.includes(`"${basename(corrupt)}"`), `names the file picked: ${message}`);
      assert.ok(!message.includes(app.dataDir), 'not where the app keeps it');
      if (app.kind === 'browser') {
        // Removed as the failure is sent: give the server a moment to finish deleting.
        const uploads = () => readdir(join(app.dataDir, 'imports')).catch(() => []);
        for (let i = 0; i < 50 && (await uploads()).length > 0; i++) await app.page.waitForTimeout(100);
        assert.deepEqual(await uploads(), [], 'the refused upload is removed');
      }
      // Still usable: a good video opened next is analysed.
      const next = await appEventCount(app.page);
      await app.openVideoWith(oneFace, () => app.page.getByTestId('open-another').click());
      await waitForAppEvent(app.page, 'scan-finished', next);
    });
  });

  test('7: an engine crash mid-scan is survived: the UI offers a retry and earlier cases are intact', async (t) => {
    await withApp(t, async (app) => {
      const first = await openVideo(app, oneFace);
      await waitForAppEvent(app.page, 'scan-finished', first);
      await sidebar(app.page).go('home');
      const since = await openVideo(app, longFace);
      await waitForAppEvent(app.page, 'scan-started', since);
      await waitForCount(app.page, 'timeline', 'data-points', 1);
      assert.equal(app.killEngine(), 1, 'one engine process was running');
      const failed = await waitForAppEvent(app.page, 'scan-failed', since);
      assert.equal(failed['code'], 'engineCrashed');
      await app.page.getByRole('heading', { name: 'The analysis engine stopped' }).waitFor();
      await sidebar(app.page).go('home');
      assert.equal(await homePage(app.page).caseRows.count(), 1, 'the earlier case is intact');
      await sidebar(app.page).go('analysis');
      const retried = await appEventCount(app.page);
      await app.page.getByTestId('retry-scan').click();
      await waitForAppEvent(app.page, 'scan-finished', retried);
    });
  });

  test('6: cancelling a scan leaves the app usable and saves no case', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, longFace);
      await waitForAppEvent(app.page, 'scan-started', since);
      const analysis = analysisPage(app.page);
      await analysis.cancelButton.click();
      await waitForAppEvent(app.page, 'scan-cancelled', since);
      await app.page.getByTestId('retry-scan').waitFor();
      await sidebar(app.page).go('home');
      await app.page.getByText('No cases yet').waitFor();
      assert.equal(await homePage(app.page).caseRows.count(), 0, 'no half-saved case');
      const again = await openVideo(app, oneFace);
      await waitForAppEvent(app.page, 'scan-finished', again);
    });
  });

  test('10: a file deleted mid-scan shows an error, saves no case, and the app stays usable', async (t) => {
    const doomed = join(await mkdtemp(join(tmpdir(), 'unmask-e2e-deleted-')), 'deleted-soon.mp4');
    await copyFile(longFace, doomed);
    await withApp(t, async (app) => {
      const since = await openVideo(app, doomed);
      // The path the host reads: the file itself (Electron) or the browser's upload of it (serve).
      const started = await waitForAppEvent(app.page, 'scan-started', since);
      await waitForCount(app.page, 'timeline', 'data-points', 1);
      await rm(String(started['path']));
      const failed = await waitForAppEvent(app.page, 'scan-failed', since);
      assert.equal(failed['code'], 'inputNotFound');
      const analysis = analysisPage(app.page);
      await analysis.errorState.waitFor();
      assert.match(
        await analysis.errorMessage.innerText(),
        /deleted, moved or replaced while it was being scanned/,
      );
      await sidebar(app.page).go('home');
      await app.page.getByText('No cases yet').waitFor();
      assert.equal(await homePage(app.page).caseRows.count(), 0, 'no half-saved case');
      const next = await openVideo(app, oneFace);
      await waitForAppEvent(app.page, 'scan-finished', next);
    });
  });

  test('8: with consent, a project trains (live loss, a preview), resumes, stops at a checkpoint, renders, and the result is labelled SYNTHETIC', async (t) => {
    await withApp(t, async (app) => {
      await sidebar(app.page).go('studio');
      const studio = studioPage(app.page);
      await app.openVideoWith(oneFace, () => studio.pickA.click());
      await app.openVideoWith(portrait, () => studio.pickB.click());
      await studio.attestConsent(
        'E2E suite',
        'Fixture clips of public-domain portraits, for an automated test',
      );
      await studio.setOptions(QUICK_TRAINING);
      const since = await appEventCount(app.page);
      await studio.train.click();
      await waitForAppEvent(app.page, 'train-preview-shown', since);
      const finished = await waitForAppEvent(app.page, 'train-finished', since);
      assert.equal(finished['steps'], QUICK_TRAINING.steps);
      assert.equal(finished['stoppedBy'], 'steps');
      assert.ok((await waitForCount(app.page, 'loss-chart', 'data-points', QUICK_TRAINING.steps)) >= 4);
      await studio.preview.waitFor();
      assert.ok(Number(await studio.preview.getAttribute('data-step')) >= 2, 'a preview grid is shown');

      // Resume for many more steps, then Stop: the run checkpoints and the project keeps every step it did.
      await studio.setOptions({ steps: 500, previewEvery: 1 });
      const resumeAt = await appEventCount(app.page);
      await studio.train.click();
      const resumedPreview = await waitForAppEvent(app.page, 'train-preview-shown', resumeAt);
      assert.ok(
        Number(resumedPreview['step']) > QUICK_TRAINING.steps,
        'training resumed from the checkpoint',
      );
      await studio.stop.click();
      const stopped = await waitForAppEvent(app.page, 'train-finished', resumeAt);
      assert.equal(stopped['stoppedBy'], 'signal');
      const kept = Number(stopped['steps']);
      assert.ok(kept > QUICK_TRAINING.steps && kept < QUICK_TRAINING.steps + 500, `checkpoint at ${kept}`);

      await app.openVideoWith(portrait, () => studio.renderInput.click());
      await studio.renderIdentity.selectOption('a');
      const renderAt = await appEventCount(app.page);
      await studio.render.click();
      const rendered = await waitForAppEvent(app.page, 'render-finished', renderAt);
      assert.equal(rendered['aiGenerated'], true, 'the file declares itself AI-generated');
      await studio.result.waitFor();
      assert.match(await studio.syntheticLabel.innerText(), /SYNTHETIC/);
      assert.match(await studio.syntheticLabel.innerText(), /ai_generated=true/);
      assert.match(await studio.syntheticLabel.innerText(), /public-domain portraits/, 'consent carried');
      assert.ok(await studio.player.getAttribute('src'), 'the player has the rendered file');
    });
  });

  test('9: a batch goes to real workers through Redis; an unreachable Redis is a clear error', async (t) => {
    const folder = await mkdtemp(join(tmpdir(), 'unmask-e2e-batch-'));
    await copyFile(oneFace, join(folder, 'first.mp4'));
    await copyFile(portrait, join(folder, 'second.mp4'));
    const redis = await startRedisServer();
    const worker = startUnmask(['worker', '--queue', redis.url]);
    try {
      await worker.waitForLine(/ready:/);
      await withApp(t, async (app) => {
        // Quick scans: the worker samples what the app's settings say.
        await app.page.evaluate(() =>
          (
            window as unknown as { unmask: { saveSettings(s: unknown): Promise<unknown> } }
          ).unmask.saveSettings({
            sampleFps: 2,
            maxFrames: 3,
            thresholdProfile: 'standard',
          }),
        );
        await sidebar(app.page).go('batch');
        const batch = batchPage(app.page);
        if (app.kind === 'electron') await app.openVideoWith(folder, () => batch.chooseFolder.click());
        else await batch.folder.fill(folder);

        await batch.queue.fill('redis://127.0.0.1:1');
        const refused = await appEventCount(app.page);
        await batch.submit.click();
        const failed = await waitForAppEvent(app.page, 'batch-failed', refused);
        assert.equal(failed['code'], 'queueUnreachable');
        assert.match(
          await batch.errorMessage.innerText(),
          /Cannot reach the queue at redis:\/\/127\.0\.0\.1:1 .*check the Redis URL on the Batch screen/,
        );

        await batch.queue.fill(redis.url);
        const since = await appEventCount(app.page);
        await batch.submit.click();
        const finished = await waitForAppEvent(app.page, 'batch-finished', since);
        assert.deepEqual([finished['completed'], finished['failed'], finished['pending']], [2, 0, 0]);
        assert.equal(await batch.rows.count(), 2);
        assert.equal(await app.page.locator('[data-testid=batch-row][data-state=completed]').count(), 2);
        await batch.result.waitFor();
        const opened = await appEventCount(app.page);
        await app.page.getByTestId('batch-open-case').first().click();
        await waitForAppEvent(app.page, 'case-opened', opened);
        await sidebar(app.page).go('home');
        assert.equal(await homePage(app.page).caseRows.count(), 2, 'both results are cases');
      });
    } finally {
      worker.child.kill('SIGTERM');
      await worker.exited;
      await redis.stop();
    }
  });
});
