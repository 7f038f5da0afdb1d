// `npm run screenshots`: drives the app through every screen with the e2e launcher and saves docs/screenshots/.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { makeBlendedFixtureVideo } from '../engine/testing/blended-fixture.ts';
import { makeFixtureVideo } from '../engine/testing/fixtures.ts';
import { appEventCount, launchApp, waitForAppEvent, waitForCount } from '../e2e/launcher.ts';
import { HomePage, Sidebar } from '../e2e/pages/app-pages.ts';

const OUT = join(import.meta.dirname, '..', 'docs', 'screenshots');
await mkdir(OUT, { recursive: true });
const app = await launchApp();
const { page } = app;
const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`) });
const nav = new Sidebar(page);
let failed = true;
try {
  await shot('home-empty');
  const since = await appEventCount(page);
  await app.openVideoWith(await makeFixtureVideo('two-faces'), () => new HomePage(page).openButton.click());
  await waitForAppEvent(page, 'scan-finished', since);
  const blendedAt = await appEventCount(page);
  await nav.go('home');
  await app.openVideoWith(await makeBlendedFixtureVideo(), () => new HomePage(page).openButton.click());
  await waitForCount(page, 'timeline', 'data-points', 3);
  await shot('analysis-live');
  await waitForAppEvent(page, 'scan-finished', blendedAt);
  await page.getByTestId('consent-warning').waitFor();
  await shot('analysis-consent-warning');
  await page.getByTestId('dismiss-consent').click();
  await page.getByTestId('heatmap-toggle').check();
  await shot('analysis-heatmap');
  await nav.go('home');
  await shot('home-cases');
  await page.getByTestId('case-row').nth(1).click();
  await page.locator('[data-testid=analysis-screen][data-status=finished]').waitFor();
  await waitForCount(page, 'face-overlay', 'data-boxes', 2);
  await shot('analysis-two-people');
  await nav.go('reports');
  await page.getByTestId('export-json').click();
  await page.getByTestId('export-result').waitFor();
  await shot('reports');
  await nav.go('studio');
  await page.getByTestId('open-consent').click();
  await page.getByTestId('consent-dialog').waitFor();
  await shot('studio-consent');
  await page.keyboard.press('Escape');
  await nav.go('settings');
  await page.getByTestId('doctor').getByText('TensorFlow.js backend').waitFor({ timeout: 60_000 });
  await shot('settings');
  const corruptAt = await appEventCount(page);
  await nav.go('home');
  await app.openVideoWith(await makeFixtureVideo('text-as-mp4'), () => new HomePage(page).openButton.click());
  await waitForAppEvent(page, 'scan-failed', corruptAt);
  await shot('analysis-error');
  failed = false;
} finally {
  await app.finish('screenshots', failed);
}
console.log(`saved screenshots to ${OUT}`);
