/**
 * No PDF ends on a page holding a stray line or two: pure, apart from the print function it is given, so the
 * engine's headless Chromium (pdf.ts) and Electron's printToPDF (app/main/pdf-printer.ts) share it.
 */

/** Pages of a PDF that Chromium wrote (its page objects are not compressed). */
export function pdfPageCount(pdf: Uint8Array): number {
  return (
    Buffer.from(pdf)
      .toString('latin1')
      .match(/\/Type\s*\/Page(?![s\w])/g) ?? []
  ).length;
}

/** The smallest print scale used to pull a last page's few lines back onto the page before. */
export const FIT_SCALE = 0.9;

/**
 * Prints at full size; when a slightly smaller print (FIT_SCALE) has one page fewer, the last page held only
 * a few lines, and that print is used instead.
 */
export async function printFitted(print: (scale: number) => Promise<Uint8Array>): Promise<Uint8Array> {
  const full = await print(1);
  const pages = pdfPageCount(full);
  if (pages < 2) return full;
  const fitted = await print(FIT_SCALE);
  return pdfPageCount(fitted) < pages ? fitted : full;
}
