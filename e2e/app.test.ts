/**
 * End-to-end flows, run against Electron or Chromium + `unmask serve` by the same launcher. Every wait is on
 * a named app event or on the DOM, never a sleep.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { after, before, describe, test, type TestContext } from 'node:test';
import { makeBlendedFixtureVideo } from '../engine/testing/blended-fixture.ts';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { appEventCount, launchApp, waitForAppEvent, waitForCount, type LaunchedApp } from './launcher.ts';
import { AnalysisPage, HomePage, ReportsPage, Sidebar, StudioPage } from './pages/app-pages.ts';

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
  await app.openVideoWith(path, () => new HomePage(app.page).openButton.click());
  return since;
}

describe('Unmask app', () => {
  let oneFace: string;
  let corrupt: string;
  let blended: string;
  before(async () => {
    oneFace = await makeFixtureVideo('one-face');
    corrupt = await makeFixtureVideo('text-as-mp4');
    blended = await makeBlendedFixtureVideo();
  });
  after(() => undefined);

  test('1: opening a video scans it: the timeline has points and face boxes are drawn', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, oneFace);
      const finished = await waitForAppEvent(app.page, 'scan-finished', since);
      const analysis = new AnalysisPage(app.page);
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
      await new Sidebar(app.page).go('home');
      assert.equal(await new HomePage(app.page).caseRows.count(), 1, 'the case is listed on Home');
    });
  });

  test('2: a manipulated face shows the consent warning, which can be dismissed for the case', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, blended);
      await waitForAppEvent(app.page, 'consent-warning-shown', since);
      const finished = await waitForAppEvent(app.page, 'scan-finished', since);
      assert.equal(finished['verdict'], 'likely-manipulated');
      const analysis = new AnalysisPage(app.page);
      await analysis.consentWarning.waitFor();
      assert.match(await analysis.consentWarning.innerText(), /appears to be synthetic/);
      assert.match(await analysis.consentWarning.innerText(), /without their consent/);
      await app.page.getByTestId('dismiss-consent').click();
      await analysis.consentWarning.waitFor({ state: 'detached' });
      // Dismissed for this case: reopening the case from Home does not bring it back.
      await new Sidebar(app.page).go('home');
      const reopened = await appEventCount(app.page);
      await new HomePage(app.page).caseRows.first().click();
      await waitForAppEvent(app.page, 'consent-warning-suppressed', reopened);
      assert.equal(await analysis.consentWarning.count(), 0);
    });
  });

  test('3: exporting a PDF writes a paged report with the verdict and the SHA-256', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, blended);
      await waitForAppEvent(app.page, 'scan-finished', since);
      await new AnalysisPage(app.page).exportButton.click();
      const reports = new ReportsPage(app.page);
      await reports.root.waitFor();
      const exportedAt = await appEventCount(app.page);
      await reports.exportAs('pdf');
      const exported = await waitForAppEvent(app.page, 'report-exported', exportedAt);
      const path = String(exported['path']);
      assert.match(path, /\.pdf$/);
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
      await reports.result.waitFor();
    });
  });

  test('4: the studio refuses to train without consent', async (t) => {
    await withApp(t, async (app) => {
      await new Sidebar(app.page).go('studio');
      const studio = new StudioPage(app.page);
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
      const analysis = new AnalysisPage(app.page);
      await analysis.errorState.waitFor();
      assert.match(await analysis.errorMessage.innerText(), /not .*media|cannot read|not a video/i);
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
      await new Sidebar(app.page).go('home');
      const since = await openVideo(app, oneFace);
      await waitForAppEvent(app.page, 'scan-started', since);
      await waitForCount(app.page, 'timeline', 'data-points', 1);
      assert.equal(app.killEngine(), 1, 'one engine process was running');
      const failed = await waitForAppEvent(app.page, 'scan-failed', since);
      assert.equal(failed['code'], 'engineCrashed');
      await app.page.getByRole('heading', { name: 'The analysis engine stopped' }).waitFor();
      await new Sidebar(app.page).go('home');
      assert.equal(await new HomePage(app.page).caseRows.count(), 1, 'the earlier case is intact');
      await new Sidebar(app.page).go('analysis');
      const retried = await appEventCount(app.page);
      await app.page.getByTestId('retry-scan').click();
      await waitForAppEvent(app.page, 'scan-finished', retried);
    });
  });

  test('6: cancelling a scan leaves the app usable and saves no case', async (t) => {
    await withApp(t, async (app) => {
      const since = await openVideo(app, oneFace);
      await waitForAppEvent(app.page, 'scan-started', since);
      const analysis = new AnalysisPage(app.page);
      await analysis.cancelButton.click();
      await waitForAppEvent(app.page, 'scan-cancelled', since);
      await app.page.getByTestId('retry-scan').waitFor();
      await new Sidebar(app.page).go('home');
      await app.page.getByText('No cases yet').waitFor();
      assert.equal(await new HomePage(app.page).caseRows.count(), 0, 'no half-saved case');
      const again = await openVideo(app, oneFace);
      await waitForAppEvent(app.page, 'scan-finished', again);
    });
  });
});
