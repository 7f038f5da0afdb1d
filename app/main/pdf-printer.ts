/** Prints report HTML to PDF with Chromium's own printer (webContents.printToPDF) in a hidden, sandboxed window. */
import { BrowserWindow } from 'electron';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../engine/util/files.ts';

export async function printHtmlToPdf(html: string, outPath: string): Promise<void> {
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
      margins: { marginType: 'default' },
    });
    await writeFileAtomic(outPath, pdf);
  } finally {
    window.destroy();
    await rm(page, { force: true });
  }
}
