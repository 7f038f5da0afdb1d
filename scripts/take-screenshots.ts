// `npm run screenshots`: drives the app through every screen with the e2e launcher and saves docs/screenshots/.
// `npm run screenshots -- --clips ../shared/data/video` also shoots the heatmap panel on the highest-scoring frame of
// a DFDC fake and of a real clip from the shared research data (the clips themselves are never committed).
import { copyFile, mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import type { Locator } from 'playwright-core';
import { join } from 'node:path';
import { makeBlendedFixtureVideo } from '../engine/testing/blended-fixture.ts';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { startRedisServer, type TestRedisServer } from '../engine/testing/redis-server.ts';
import { startUnmask, type RunningCli } from '../engine/testing/run-cli.ts';
import { appEventCount, launchApp, waitForAppEvent, waitForCount } from '../e2e/launcher.ts';
import { batchPage, homePage, sidebar, studioPage } from '../e2e/pages/app-pages.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
const clipsArg = process.argv.indexOf('--clips');
const CLIPS = clipsArg > 0 ? process.argv[clipsArg + 1] : undefined;
/** Shared clips for the heatmap shots: name → path under the --clips folder. */
const HEATMAP_CLIPS = {
  'analysis-heatmap-dfdc-fake': 'dev/dfdc_yhffcuhhjy.mp4',
  'analysis-heatmap-real-clip': 'real/face_recognition_short_hamilton_clip.mp4',
};
await mkdir(OUT, { recursive: true });
const app = await launchApp();
const { page } = app;
const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });
const nav = sidebar(page);
/** Scrolls the content pane so this element is at its top (the window itself does not scroll). */
const scrollToTop = (locator: Locator) =>
  locator.evaluate((element) => element.scrollIntoView({ block: 'start' }));
let failed = true;
let redis: TestRedisServer | undefined;
let worker: RunningCli | undefined;
try {
  await shot('home-empty');
  const since = await appEventCount(page);
  await app.openVideoWith(await makeFixtureVideo('two-faces'), () => homePage(page).openButton.click());
  await waitForAppEvent(page, 'scan-finished', since);
  const blendedAt = await appEventCount(page);
  await nav.go('home');
  await app.openVideoWith(await makeBlendedFixtureVideo(), () => homePage(page).openButton.click());
  await waitForCount(page, 'timeline', 'data-points', 3);
  await shot('analysis-live');
  await waitForAppEvent(page, 'scan-finished', blendedAt);
  await page.getByTestId('consent-warning').waitFor();
  await shot('analysis-consent-warning');
  await page.getByTestId('dismiss-consent').click();
  await page.getByTestId('heatmap-toggle').check();
  await waitForCount(page, 'face-panel', 'data-pictures', 1);
  await shot('analysis-heatmap');
  await nav.go('home');
  await shot('home-cases');
  await page.getByTestId('case-row').nth(1).click();
  await page.locator('[data-testid=analysis-screen][data-status=finished]').waitFor();
  await waitForCount(page, 'face-overlay', 'data-boxes', 2);
  await shot('analysis-two-people');
  await page.getByTestId('export-report').click();
  await page.getByTestId('export-menu').waitFor();
  await shot('analysis-export');
  await page.keyboard.press('Escape');
  await nav.go('reports');
  await page.getByTestId('export-json').click();
  await page.getByTestId('export-result').waitFor();
  await shot('reports');
  await nav.go('studio');
  await page.getByTestId('open-consent').click();
  await page.getByTestId('consent-dialog').waitFor();
  await shot('studio-consent');
  await page.keyboard.press('Escape');
  const studio = studioPage(page);
  await app.openVideoWith(await makeFixtureVideo('one-face'), () => studio.pickA.click());
  await app.openVideoWith(await makeFixtureVideo('portrait'), () => studio.pickB.click());
  await studio.attestConsent('Screenshot script', 'Fixture clips of public-domain portraits, for the docs');
  await studio.setOptions({ steps: 12, previewEvery: 3, batchSize: 2, extractFps: 4, minFaces: 4 });
  const trainAt = await appEventCount(page);
  await studio.train.click();
  await waitForAppEvent(page, 'train-preview-shown', trainAt);
  await waitForCount(page, 'preview-image', 'data-step', 6);
  await scrollToTop(page.getByTestId('training-panel'));
  await shot('studio-training');
  await waitForAppEvent(page, 'train-finished', trainAt);
  await app.openVideoWith(await makeFixtureVideo('portrait'), () => studio.renderInput.click());
  await studio.renderIdentity.selectOption('a');
  const renderAt = await appEventCount(page);
  await studio.render.click();
  await waitForAppEvent(page, 'render-finished', renderAt);
  await scrollToTop(studio.result);
  await shot('studio-result');
  await nav.go('batch');
  await shot('batch-empty');
  const batchDir = await mkdtemp(join(tmpdir(), 'unmask-screenshot-batch-'));
  for (const kind of ['two-faces', 'portrait', 'text-as-mp4'] as const)
    await copyFile(await makeFixtureVideo(kind), join(batchDir, `${kind}.mp4`));
  redis = await startRedisServer();
  worker = startUnmask(['worker', '--queue', redis.url]);
  await worker.waitForLine(/ready:/);
  const batch = batchPage(page);
  await batch.folder.fill(batchDir);
  await batch.queue.fill(redis.url);
  const batchAt = await appEventCount(page);
  await batch.submit.click();
  await page.locator('[data-testid=batch-row][data-state=active]').first().waitFor();
  await shot('batch-running');
  await waitForAppEvent(page, 'batch-finished', batchAt);
  await shot('batch');
  await nav.go('settings');
  await page.getByTestId('doctor').getByText('TensorFlow.js backend').waitFor({ timeout: 60_000 });
  await shot('settings');
  const corruptAt = await appEventCount(page);
  await nav.go('home');
  await app.openVideoWith(await makeFixtureVideo('text-as-mp4'), () => homePage(page).openButton.click());
  await waitForAppEvent(page, 'scan-failed', corruptAt);
  await shot('analysis-error');
  for (const [name, clip] of CLIPS ? Object.entries(HEATMAP_CLIPS) : []) {
    const clipAt = await appEventCount(page);
    await nav.go('home');
    await app.openVideoWith(join(CLIPS!, clip), () => homePage(page).openButton.click());
    await waitForAppEvent(page, 'scan-finished', clipAt);
    // The highest-scoring frame, zoomed in beside its map.
    await page.getByTestId('frame-chip').first().click();
    await page.getByTestId('heatmap-toggle').check();
    await waitForCount(page, 'face-panel', 'data-pictures', 1);
    await shot(name);
  }
  failed = false;
} finally {
  await app.finish('screenshots', failed);
  worker?.child.kill('SIGTERM');
  await worker?.exited;
  await redis?.stop();
}
console.log(`saved screenshots to ${OUT}`);
