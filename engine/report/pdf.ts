/**
 * Prints a report's HTML to PDF with headless Chromium (the desktop app uses Electron's printToPDF with the same
 * header and footer). Each page carries the case id and input SHA-256 at the top and "page n of m" at the foot.
 */
import { chromium } from 'playwright-core';
import { QUIET_CHROMIUM_ARGS, requireChromium } from '../runtime/chromium.ts';
import { caseNumber } from '../store/case-store.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { Report } from './report-format.ts';
import { analystLine } from './render-html.ts';
import { printFitted } from './pdf-fit.ts';
import { escapeXml } from './svg-text.ts';

export interface PdfPageDecorations {
  headerTemplate: string;
  footerTemplate: string;
}

/**
 * Chromium's header/footer templates (also valid for Electron's printToPDF): the case and the input's SHA-256 at
 * the top, the analyst and organisation (when given) and the page number at the foot.
 */
export function pdfPageDecorations(report: Pick<Report, 'caseId' | 'input' | 'analyst'>): PdfPageDecorations {
  const style =
    'font-family: DejaVu Sans, Helvetica, Arial, sans-serif; font-size: 7.5px; color: #4b5563; width: 100%; padding: 0 14mm;';
  const by = analystLine(report);
  return {
    headerTemplate: `<div style="${style} display: flex; justify-content: space-between;"><span>Unmask report · case ${escapeXml(caseNumber(report.caseId))}</span><span>SHA-256 ${escapeXml(report.input.sha256)}</span></div>`,
    footerTemplate: `<div style="${style} display: flex; justify-content: space-between;"><span>${by ? `Prepared by ${escapeXml(by)}` : ''}</span><span>page <span class="pageNumber"></span> of <span class="totalPages"></span></span></div>`,
  };
}

export async function renderPdf(html: string, decorations: PdfPageDecorations): Promise<Uint8Array> {
  const browser = await chromium
    .launch({ executablePath: requireChromium(), args: QUIET_CHROMIUM_ARGS, headless: true })
    .catch((error: unknown) => {
      throw new UnmaskError('reportFailed', `Chromium would not start for PDF export: ${String(error)}`, {
        cause: error,
      });
    });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.emulateMedia({ media: 'print' });
    return await printFitted((scale) =>
      page.pdf({
        format: 'A4',
        printBackground: true,
        displayHeaderFooter: true,
        ...decorations,
        margin: { top: '18mm', bottom: '16mm', left: '14mm', right: '14mm' },
        scale,
      }),
    );
  } finally {
    await browser.close();
  }
}

export async function writeReportPdf(
  html: string,
  decorations: PdfPageDecorations,
  outPath: string,
): Promise<void> {
  await writeFileAtomic(outPath, await renderPdf(html, decorations));
}
