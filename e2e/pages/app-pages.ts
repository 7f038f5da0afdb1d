/** Page objects: one per screen, each naming the elements a spec uses, by test id. */
import type { Locator, Page } from 'playwright-core';

/** `{ name: 'test-id' }` → `{ name: Locator }`. */
function byTestIds<T extends Record<string, string>>(page: Page, ids: T): { [K in keyof T]: Locator } {
  return Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, page.getByTestId(id)])) as {
    [K in keyof T]: Locator;
  };
}

export function sidebar(page: Page) {
  return {
    go: (screen: 'home' | 'analysis' | 'batch' | 'studio' | 'reports' | 'settings') =>
      page.getByTestId(`nav-${screen}`).click(),
  };
}

export function homePage(page: Page) {
  return byTestIds(page, { root: 'home-screen', openButton: 'open-video', caseRows: 'case-row' });
}

export function analysisPage(page: Page) {
  const ids = byTestIds(page, {
    root: 'analysis-screen',
    timeline: 'timeline',
    overlay: 'face-overlay',
    consentWarning: 'consent-warning',
    cancelButton: 'cancel-scan',
    errorState: 'error-state',
    errorMessage: 'error-message',
    personCards: 'person-card',
    exportButton: 'export-report',
    exportResult: 'export-result',
  });
  return {
    ...ids,
    /** "Export report…", then a format: the export starts at once. */
    exportAs: async (format: 'json' | 'html' | 'pdf') => {
      await ids.exportButton.click();
      await page.getByTestId(`export-as-${format}`).click();
    },
    /** The highest-scoring frame chips of every person card, highest first within a card. */
    frameChips: ids.personCards.getByTestId('frame-chip'),
    verdict: ids.root.getByTestId('verdict-box').getByTestId('verdict'),
    title: page.locator('#analysis-title'),
    timelinePoints: async () => Number(await ids.timeline.getAttribute('data-points')),
    boxesDrawn: async () => Number((await ids.overlay.getAttribute('data-boxes')) ?? 0),
  };
}

export function studioPage(page: Page) {
  const ids = byTestIds(page, {
    root: 'studio-screen',
    pickA: 'pick-identity-a',
    pickB: 'pick-identity-b',
    train: 'start-training',
    stop: 'stop-training',
    consentDialog: 'consent-dialog',
    consentMissing: 'consent-missing',
    lossChart: 'loss-chart',
    preview: 'preview-image',
    renderInput: 'pick-render-input',
    renderIdentity: 'render-identity',
    render: 'start-render',
    result: 'render-result',
    player: 'result-player',
    syntheticLabel: 'synthetic-label',
  });
  return {
    ...ids,
    async attestConsent(name: string, statement: string): Promise<void> {
      await page.getByTestId('open-consent').click();
      await page.getByTestId('consent-subjects').check();
      await page.getByTestId('consent-label').check();
      await page.getByTestId('consent-name').fill(name);
      await page.getByTestId('consent-statement').fill(statement);
      await page.getByTestId('consent-confirm').click();
      await page.getByTestId('consent-recorded').waitFor();
    },
    /** Fills the training option fields (`train-<option>` test ids). */
    async setOptions(options: Record<string, number>): Promise<void> {
      for (const [key, value] of Object.entries(options))
        await page.getByTestId(`train-${key}`).fill(String(value));
    },
  };
}

export function batchPage(page: Page) {
  return byTestIds(page, {
    root: 'batch-screen',
    folder: 'batch-folder',
    chooseFolder: 'batch-choose-folder',
    queue: 'batch-queue',
    priority: 'batch-priority',
    submit: 'batch-submit',
    stop: 'batch-stop',
    rows: 'batch-row',
    result: 'batch-result',
    errorMessage: 'error-message',
  });
}

export function reportsPage(page: Page) {
  return {
    ...byTestIds(page, { root: 'reports-screen', result: 'export-result', error: 'export-error' }),
    exportAs: (format: 'json' | 'html' | 'pdf') => page.getByTestId(`export-${format}`).click(),
  };
}

export function settingsPage(page: Page) {
  return byTestIds(page, { root: 'settings-screen', doctor: 'doctor' });
}
