/**
 * A person's manipulation timeline as a self-contained SVG: calibrated per-frame probabilities (dots), their
 * 1-second moving median (line), the inconclusive band and the flag threshold. Pure.
 */
import { scoreTone, TONE_COLOURS, VERDICT_TEXT } from '../detect/verdict.ts';
import { escapeXml } from './svg-text.ts';

export interface TimelinePoint {
  timeSec: number;
  probability: number;
  smoothed: number;
}

export interface TimelineChartOptions {
  durationSec: number;
  inconclusiveBand: readonly [number, number];
  width?: number;
  height?: number;
  title?: string;
}

/** The smoothed line's colour (each dot has its score's tone colour). */
const LINE_COLOUR = '#1d4ed8';

/** Colour of a probability given the band (its upper edge is the flag threshold), from the verdict tones. */
export function scoreColour(probability: number, band: readonly [number, number]): string {
  return TONE_COLOURS[scoreTone(probability, { flagAt: band[1], inconclusiveBand: band })].light;
}

export function timelineChartSvg(points: readonly TimelinePoint[], options: TimelineChartOptions): string {
  const width = options.width ?? 720;
  const height = options.height ?? 170;
  const margin = { left: 44, right: 12, top: options.title ? 24 : 10, bottom: 30 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  // A crafted header can claim any duration (1e12 s, NaN): it moves the axis, never the number of ticks.
  const claimed = Number.isFinite(options.durationSec) ? options.durationSec : 0;
  const duration = Math.max(claimed, points.at(-1)?.timeSec ?? 0, 1e-3);
  const x = (t: number) => margin.left + (t / duration) * plotW;
  const y = (p: number) => margin.top + (1 - p) * plotH;
  const [low, high] = options.inconclusiveBand;
  const timeTicks = timeAxisTicks(duration);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" role="img" aria-label="${escapeXml(options.title ?? 'Manipulation score over time')}">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    options.title
      ? `<text x="${margin.left}" y="16" font-size="12" font-weight="bold" fill="#111827">${escapeXml(options.title)}</text>`
      : '',
    `<rect x="${x(0)}" y="${y(high)}" width="${plotW}" height="${y(low) - y(high)}" fill="#fef3c7"/>`,
    `<rect x="${x(0)}" y="${y(1)}" width="${plotW}" height="${y(high) - y(1)}" fill="#fee2e2" fill-opacity="0.6"/>`,
    `<text x="${x(duration) - 4}" y="${y(high) + 12}" font-size="10" text-anchor="end" fill="#92400e">${VERDICT_TEXT.inconclusive.toLowerCase()}</text>`,
    `<text x="${x(duration) - 4}" y="${y(1) + 12}" font-size="10" text-anchor="end" fill="#991b1b">${VERDICT_TEXT['likely-manipulated'].toLowerCase()}</text>`,
    `<line x1="${x(0)}" y1="${y(high)}" x2="${x(duration)}" y2="${y(high)}" stroke="#b91c1c" stroke-dasharray="5 3"/>`,
    ...[0, 0.25, 0.5, 0.75, 1].map(
      (p) =>
        `<line x1="${x(0) - 4}" y1="${y(p)}" x2="${x(0)}" y2="${y(p)}" stroke="#6b7280"/>` +
        `<text x="${x(0) - 7}" y="${y(p) + 3.5}" font-size="10" text-anchor="end" fill="#374151">${p.toFixed(2)}</text>`,
    ),
    ...timeTicks.map(
      (t) =>
        `<line x1="${x(t)}" y1="${y(0)}" x2="${x(t)}" y2="${y(0) + 4}" stroke="#6b7280"/>` +
        `<text x="${x(t)}" y="${y(0) + 15}" font-size="10" text-anchor="middle" fill="#374151">${formatTime(t)}</text>`,
    ),
    `<rect x="${x(0)}" y="${y(1)}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`,
    `<text x="${x(duration / 2)}" y="${height - 3}" font-size="10" text-anchor="middle" fill="#374151">time in video</text>`,
  ];
  if (points.length > 1) {
    const path = points
      .map((p, i) => `${i ? 'L' : 'M'}${x(p.timeSec).toFixed(1)},${y(p.smoothed).toFixed(1)}`)
      .join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${LINE_COLOUR}" stroke-width="2"/>`);
  }
  for (const p of points) {
    parts.push(
      `<circle cx="${x(p.timeSec).toFixed(1)}" cy="${y(p.probability).toFixed(1)}" r="2.6" fill="${scoreColour(p.probability, options.inconclusiveBand)}"/>`,
    );
  }
  if (points.length === 0) {
    parts.push(
      `<text x="${x(duration / 2)}" y="${y(0.5)}" font-size="12" text-anchor="middle" fill="#6b7280">no frame of this person could be judged</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('');
}

/** "4.2 s" under a minute, "m:ss" under an hour, else "h:mm:ss". */
export function formatTime(seconds: number): string {
  if (seconds < 60) return `${Number(seconds.toFixed(1))} s`;
  const two = (n: number) => `${n < 10 ? '0' : ''}${n}`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds - h * 3600) / 60);
  const s = Math.floor(seconds - h * 3600 - m * 60);
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The time axis never has more labelled ticks than this, whatever the duration. */
export const MAX_TIME_TICKS = 7;

/** Tick times from 0 to `durationSec`: at most MAX_TIME_TICKS of them, on a round step. */
export function timeAxisTicks(durationSec: number): number[] {
  const step = niceStep(durationSec / (MAX_TIME_TICKS - 1));
  const count = Math.min(MAX_TIME_TICKS, Math.floor(durationSec / step + 1e-9) + 1);
  return Array.from({ length: count }, (_, i) => i * step);
}

/** The smallest round step ≥ raw: seconds and minutes up to an hour, then 1, 2 or 5 × a power of ten hours. */
function niceStep(raw: number): number {
  const steps = [0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600];
  const found = steps.find((s) => s >= raw);
  if (found !== undefined) return found;
  const hours = raw / 3600;
  const power = 10 ** Math.floor(Math.log10(hours));
  return 3600 * power * ([1, 2, 5].find((m) => m * power >= hours) ?? 10);
}
