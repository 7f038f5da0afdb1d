/** Prints report HTML to PDF with Chromium's own printer (webContents.printToPDF) in a hidden, sandboxed window. */
import { BrowserWindow } from 'electron';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { printFitted } from '../../engine/report/pdf-fit.ts';
import type { PdfPageDecorations } from '../../engine/report/pdf.ts';
import { writeFileAtomic } from '../../engine/util/files.ts';

const inches = (mm: number) => mm / 25.4;

/** Same page size, margins, header (case id + SHA-256) and footer as the engine's headless-Chromium PDF. */
export async function printHtmlToPdf(
  html: string,
  decorations: PdfPageDecorations,
  outPath: string,
): Promise<void> {
  // A private folder (mkdtemp makes it 0700) and a file only this user can read: the report names the evidence.
  const dir = await mkdtemp(join(tmpdir(), 'unmask-print-'));
  const page = join(dir, 'report.html');
  await writeFile(page, html, { mode: 0o600 });
  const window = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: false },
  });
  try {
    await window.loadURL(pathToFileURL(page).href);
    const pdf = await printFitted((scale) =>
      window.webContents.printToPDF({
        printBackground: true,
        pageSize: 'A4',
        displayHeaderFooter: true,
        headerTemplate: decorations.headerTemplate,
        footerTemplate: decorations.footerTemplate,
        margins: { top: inches(18), bottom: inches(16), left: inches(14), right: inches(14) },
        scale,
      }),
    );
    await writeFileAtomic(outPath, pdf);
  } finally {
    window.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
