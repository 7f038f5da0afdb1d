/** Prints report HTML to PDF with Chromium's own printer (webContents.printToPDF) in a hidden, sandboxed window. */
import { BrowserWindow } from 'electron';
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PdfPageDecorations } from '../../engine/report/pdf.ts';
import { writeFileAtomic } from '../../engine/util/files.ts';

const inches = (mm: number) => mm / 25.4;

/** Same page size, margins, header (case id + SHA-256) and footer as the engine's headless-Chromium PDF. */
export async function printHtmlToPdf(
  html: string,
  decorations: PdfPageDecorations,
  outPath: string,
): Promise<void> {
  const page = join(tmpdir(), `unmask-report-${randomBytes(6).toString('hex')}.html`);
  await writeFile(page, html);
  const window = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await window.loadURL(pathToFileURL(page).href);
    const pdf = await window.webContents.printToPDF({
      printBackground: true,
      pageSize: 'A4',
      displayHeaderFooter: true,
      headerTemplate: decorations.headerTemplate,
      footerTemplate: decorations.footerTemplate,
      margins: { top: inches(18), bottom: inches(16), left: inches(14), right: inches(14) },
    });
    await writeFileAtomic(outPath, pdf);
  } finally {
    window.destroy();
    await rm(page, { force: true });
  }
}
