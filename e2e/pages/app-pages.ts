/** Page objects: one per screen, each naming the elements a spec uses, by test id. */
import type { Locator, Page } from 'playwright-core';

export class Sidebar {
  constructor(private readonly page: Page) {}
  go(screen: 'home' | 'analysis' | 'studio' | 'reports' | 'settings'): Promise<void> {
    return this.page.getByTestId(`nav-${screen}`).click();
  }
}

export class HomePage {
  readonly root: Locator;
  readonly openButton: Locator;
  readonly caseRows: Locator;
  constructor(page: Page) {
    this.root = page.getByTestId('home-screen');
    this.openButton = page.getByTestId('open-video');
    this.caseRows = page.getByTestId('case-row');
  }
}

export class AnalysisPage {
  readonly root: Locator;
  readonly timeline: Locator;
  readonly overlay: Locator;
  readonly verdict: Locator;
  readonly consentWarning: Locator;
  readonly cancelButton: Locator;
  readonly errorState: Locator;
  readonly errorMessage: Locator;
  readonly personCards: Locator;
  readonly exportButton: Locator;
  constructor(page: Page) {
    this.root = page.getByTestId('analysis-screen');
    this.timeline = page.getByTestId('timeline');
    this.overlay = page.getByTestId('face-overlay');
    this.verdict = this.root.locator('.header-actions').getByTestId('verdict');
    this.consentWarning = page.getByTestId('consent-warning');
    this.cancelButton = page.getByTestId('cancel-scan');
    this.errorState = page.getByTestId('error-state');
    this.errorMessage = page.getByTestId('error-message');
    this.personCards = page.getByTestId('person-card');
    this.exportButton = page.getByTestId('export-report');
  }
  async timelinePoints(): Promise<number> {
    return Number(await this.timeline.getAttribute('data-points'));
  }
  async boxesDrawn(): Promise<number> {
    return Number((await this.overlay.getAttribute('data-boxes')) ?? 0);
  }
}

export class StudioPage {
  readonly root: Locator;
  readonly pickA: Locator;
  readonly pickB: Locator;
  readonly train: Locator;
  readonly consentDialog: Locator;
  readonly consentMissing: Locator;
  constructor(page: Page) {
    this.root = page.getByTestId('studio-screen');
    this.pickA = page.getByTestId('pick-identity-a');
    this.pickB = page.getByTestId('pick-identity-b');
    this.train = page.getByTestId('start-training');
    this.consentDialog = page.getByTestId('consent-dialog');
    this.consentMissing = page.getByTestId('consent-missing');
  }
}

export class ReportsPage {
  readonly root: Locator;
  readonly result: Locator;
  readonly error: Locator;
  constructor(private readonly page: Page) {
    this.root = page.getByTestId('reports-screen');
    this.result = page.getByTestId('export-result');
    this.error = page.getByTestId('export-error');
  }
  exportAs(format: 'json' | 'html' | 'pdf'): Promise<void> {
    return this.page.getByTestId(`export-${format}`).click();
  }
}

export class SettingsPage {
  readonly root: Locator;
  readonly doctor: Locator;
  constructor(page: Page) {
    this.root = page.getByTestId('settings-screen');
    this.doctor = page.getByTestId('doctor');
  }
}
