import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FIT_SCALE, pdfPageCount, printFitted } from './pdf-fit.ts';

/** A stand-in PDF with `pages` page objects (and the /Pages tree node, which is not a page). */
const fakePdf = (pages: number) =>
  Buffer.from(`%PDF-1.4 << /Type /Pages /Count ${pages} >> ${'<< /Type /Page >> '.repeat(pages)}`);

test('pages are counted without the page tree', () => {
  assert.equal(pdfPageCount(fakePdf(3)), 3);
  assert.equal(pdfPageCount(Buffer.from('<</Type/Page/Parent 2 0 R>> <</Type/Pages>>')), 1);
});

test('a smaller print is used only when it saves the last page', async () => {
  const scales: number[] = [];
  const printer = (pagesAt: (scale: number) => number) => async (scale: number) => {
    scales.push(scale);
    return fakePdf(pagesAt(scale));
  };
  assert.equal(pdfPageCount(await printFitted(printer((s) => (s < 1 ? 3 : 4)))), 3, 'the stray page goes');
  assert.deepEqual(scales, [1, FIT_SCALE]);
  assert.equal(pdfPageCount(await printFitted(printer(() => 4))), 4, 'no gain: full size kept');
  scales.length = 0;
  assert.equal(pdfPageCount(await printFitted(printer(() => 1))), 1);
  assert.deepEqual(scales, [1], 'a one-page report is printed once');
});
