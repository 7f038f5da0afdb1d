/**
 * ROC curves as a self-contained SVG: one line per series, the chance diagonal, AUC in the legend. Dashed series
 * (e.g. after re-encoding) are drawn thinner over the solid ones, so a curve that coincides with another still
 * shows. Pure.
 */
import type { RocPoint } from '../detect/metrics.ts';
import { escapeXml } from './svg-text.ts';

export interface RocSeries {
  label: string;
  points: readonly RocPoint[];
  auc: number;
  colour: string;
  /** Drawn dashed and on top of the solid series. */
  dashed?: boolean;
}

/** Dash patterns of dashed series: on the plot, and in the legend's shorter swatch. */
const PLOT_DASH = '8 5';
const LEGEND_DASH = '5 3';

/** A series' line colour and style; dashed series are thinner, so the solid line below shows between dashes. */
const strokeOf = (s: RocSeries, dash: string) =>
  `stroke="${s.colour}" ${s.dashed ? `stroke-width="2" stroke-dasharray="${dash}"` : 'stroke-width="3"'}`;

export function rocChartSvg(title: string, series: readonly RocSeries[], size = 520): string {
  const margin = { left: 64, right: 20, top: 44, bottom: 56 };
  const plot = size - margin.left - margin.right;
  const height = plot + margin.top + margin.bottom;
  const x = (fpr: number) => margin.left + fpr * plot;
  const y = (tpr: number) => margin.top + (1 - tpr) * plot;
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1];
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${x(t)}" y1="${y(0)}" x2="${x(t)}" y2="${y(1)}" stroke="#e5e7eb"/>` +
        `<line x1="${x(0)}" y1="${y(t)}" x2="${x(1)}" y2="${y(t)}" stroke="#e5e7eb"/>` +
        `<text x="${x(t)}" y="${y(0) + 18}" font-size="12" text-anchor="middle" fill="#374151">${t.toFixed(1)}</text>` +
        `<text x="${x(0) - 8}" y="${y(t) + 4}" font-size="12" text-anchor="end" fill="#374151">${t.toFixed(1)}</text>`,
    )
    .join('');
  const lines = [...series.filter((s) => !s.dashed), ...series.filter((s) => s.dashed)]
    .map((s) => {
      const path = s.points
        .map(
          (p, i) =>
            `${i ? 'L' : 'M'}${x(p.falsePositiveRate).toFixed(1)},${y(p.truePositiveRate).toFixed(1)}`,
        )
        .join(' ');
      return `<path d="${path}" fill="none" ${strokeOf(s, PLOT_DASH)}/>`;
    })
    .join('');
  const legendBox = `<rect x="${x(0.42)}" y="${y(0.06) - series.length * 20 - 8}" width="${x(0.99) - x(0.42)}" height="${series.length * 20 + 8}" fill="#ffffff" fill-opacity="0.9" stroke="#d1d5db"/>`;
  const legendTop = y(0.06) - series.length * 20;
  const legend = series
    .map(
      (s, i) =>
        `<line x1="${x(0.45)}" y1="${legendTop + i * 20 + 8}" x2="${x(0.45) + 16}" y2="${legendTop + i * 20 + 8}" ${strokeOf(s, LEGEND_DASH)}/>` +
        `<text x="${x(0.45) + 20}" y="${legendTop + i * 20 + 12}" font-size="13" fill="#111827">${escapeXml(s.label)} — AUC ${Number.isFinite(s.auc) ? s.auc.toFixed(3) : 'n/a'}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${height}" viewBox="0 0 ${size} ${height}" font-family="DejaVu Sans, sans-serif">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="${size / 2}" y="26" font-size="16" font-weight="bold" text-anchor="middle" fill="#111827">${escapeXml(title)}</text>`,
    grid,
    `<line x1="${x(0)}" y1="${y(0)}" x2="${x(1)}" y2="${y(1)}" stroke="#9ca3af" stroke-dasharray="5 4"/>`,
    `<rect x="${x(0)}" y="${y(1)}" width="${plot}" height="${plot}" fill="none" stroke="#6b7280"/>`,
    lines,
    legendBox,
    legend,
    `<text x="${x(0.5)}" y="${height - 14}" font-size="13" text-anchor="middle" fill="#111827">false-positive rate (real judged fake)</text>`,
    `<text transform="translate(18 ${y(0.5)}) rotate(-90)" font-size="13" text-anchor="middle" fill="#111827">true-positive rate (fake caught)</text>`,
    `</svg>`,
  ].join('\n');
}
