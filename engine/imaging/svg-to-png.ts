/** Renders SVG text to PNG bytes with resvg (a Rust renderer shipped as a prebuilt npm binary), system fonts. */
import { Resvg } from '@resvg/resvg-js';

export function renderSvgToPng(svg: string, width?: number): Buffer {
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    ...(width ? { fitTo: { mode: 'width' as const, value: width } } : {}),
  });
  return resvg.render().asPng();
}
