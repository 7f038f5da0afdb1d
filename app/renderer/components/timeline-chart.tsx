/**
 * Per-person manipulation probability over time (uPlot), with the inconclusive band shaded, the flag
 * threshold drawn, and a playhead. Clicking anywhere on the plot seeks the player.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { PersonSeries } from '../analysis-state.ts';
import { trackColour } from '../format.ts';
import { sampledFrameTarget } from '../shortcuts.ts';

interface Props {
  series: PersonSeries[];
  durationSec: number;
  band: readonly [number, number];
  flagAt: number;
  playheadSec: number;
  onSeek(timeSec: number): void;
}

/** Short enough that the whole timeline stays on screen under the player at 1440×900. */
const PLOT_HEIGHT = 150;

/** Joins every person's points onto one shared, sorted time axis (null where a person is absent). */
function alignedData(series: PersonSeries[]): uPlot.AlignedData {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => p.timeSec)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = series.map((s) => {
    const column: Array<number | null> = new Array(times.length).fill(null);
    for (const p of s.points) column[index.get(p.timeSec)!] = p.probability;
    return column;
  });
  return [times, ...columns] as uPlot.AlignedData;
}

function sampleTimes(series: PersonSeries[]): number[] {
  return [...new Set(series.flatMap((s) => s.points.map((p) => p.timeSec)))].sort((a, b) => a - b);
}

export function TimelineChart({ series, durationSec, band, flagAt, playheadSec, onSeek }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const state = useRef({ band, flagAt, playheadSec, onSeek, durationSec });
  state.current = { band, flagAt, playheadSec, onSeek, durationSec };
  const seriesKey = series.map((s) => s.trackId).join(',');

  useEffect(() => {
    const element = host.current!;
    const drawBands = (u: uPlot) => {
      const { ctx } = u;
      const { left, top, width, height } = u.bbox;
      const y = (v: number) => u.valToPos(v, 'y', true);
      ctx.save();
      ctx.fillStyle = 'rgba(244, 183, 64, 0.10)';
      ctx.fillRect(
        left,
        y(state.current.band[1]),
        width,
        y(state.current.band[0]) - y(state.current.band[1]),
      );
      ctx.fillStyle = 'rgba(239, 83, 80, 0.08)';
      ctx.fillRect(left, top, width, y(state.current.flagAt) - top);
      ctx.strokeStyle = 'rgba(239, 83, 80, 0.85)';
      ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
      ctx.lineWidth = devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(left, y(state.current.flagAt));
      ctx.lineTo(left + width, y(state.current.flagAt));
      ctx.stroke();
      ctx.restore();
      void height;
    };
    const drawPlayhead = (u: uPlot) => {
      const x = u.valToPos(state.current.playheadSec, 'x', true);
      if (!Number.isFinite(x)) return;
      const { ctx } = u;
      const { top, height } = u.bbox;
      ctx.save();
      ctx.strokeStyle = '#e8ecf4';
      ctx.lineWidth = 1.5 * devicePixelRatio;
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      ctx.restore();
    };
    const axis = {
      stroke: '#8b93a7',
      grid: { stroke: 'rgba(139,147,167,0.15)' },
      ticks: { stroke: 'rgba(139,147,167,0.25)' },
    };
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: PLOT_HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      scales: {
        x: { time: false, range: () => [0, Math.max(state.current.durationSec, 0.1)] },
        y: { range: [0, 1] },
      },
      axes: [
        {
          ...axis,
          incrs: [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600],
          values: (_u, ticks) =>
            ticks.map((t) =>
              t >= 60
                ? `${Math.floor(t / 60)}:${String(Math.round(t % 60)).padStart(2, '0')}`
                : `${+t.toFixed(1)}s`,
            ),
        },
        { ...axis, size: 52, values: (_u, ticks) => ticks.map((t) => `${Math.round(t * 100)}%`) },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: `Person ${s.trackId}`,
          stroke: trackColour(s.trackId),
          width: 2,
          spanGaps: false,
          points: { show: true, size: 4, fill: trackColour(s.trackId) },
        })),
      ],
      hooks: { drawClear: [drawBands], draw: [drawPlayhead] },
    };
    const created = new uPlot(options, alignedData(series), element);
    plot.current = created;
    const click = () => {
      const left = created.cursor.left;
      if (left === undefined || left < 0) return;
      state.current.onSeek(Math.max(0, created.posToVal(left, 'x')));
    };
    created.over.addEventListener('click', click);
    const resize = new ResizeObserver(() =>
      created.setSize({ width: Math.max(320, element.clientWidth), height: PLOT_HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
    // Recreate only when the set of people changes; data updates go through setData below.
  }, [seriesKey]);

  useEffect(() => {
    plot.current?.setData(alignedData(series), true);
  }, [series]);

  useEffect(() => {
    plot.current?.redraw(false, false);
  }, [playheadSec, band, flagAt, durationSec]);

  const points = series.reduce((n, s) => n + s.points.filter((p) => p.probability !== null).length, 0);
  return (
    <div class="timeline" data-testid="timeline" data-points={points}>
      <div
        ref={host}
        class="timeline-plot"
        data-testid="timeline-plot"
        tabIndex={0}
        role="slider"
        aria-label="Manipulation probability per person over time. Click, or use the arrow keys, to seek."
        aria-valuemin={0}
        aria-valuemax={Math.round(durationSec * 10) / 10}
        aria-valuenow={Math.round(playheadSec * 10) / 10}
        aria-valuetext={`${playheadSec.toFixed(1)} seconds`}
        onKeyDown={(event) => {
          const next = sampledFrameTarget(event.key, {
            timeSec: playheadSec,
            durationSec,
            sampleTimes: sampleTimes(series),
          });
          if (next === null) return;
          event.preventDefault();
          onSeek(next);
        }}
      />
      {series.length > 0 && (
        <ul class="timeline-legend">
          {series.map((s) => (
            <li key={s.trackId}>
              <span class="swatch" style={{ background: trackColour(s.trackId) }} />
              Person {s.trackId}
            </li>
          ))}
          <li>
            <span class="swatch band" /> inconclusive band
          </li>
          <li>
            <span class="swatch threshold" /> flag threshold
          </li>
        </ul>
      )}
    </div>
  );
}
