/** Training loss per step (uPlot): every step of the current run, plus the project's checkpointed means. */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

interface Props {
  /** [step, loss] of each step of the run being watched. */
  steps: Array<[number, number]>;
  /** [step, mean loss] per checkpoint interval, from the project's log. */
  checkpoints: Array<[number, number]>;
}

const HEIGHT = 200;

/** Both series on one sorted step axis (null where a series has no value). */
function alignedData(steps: Props['steps'], checkpoints: Props['checkpoints']): uPlot.AlignedData {
  const xs = [...new Set([...steps, ...checkpoints].map(([step]) => step))].sort((a, b) => a - b);
  const column = (points: Array<[number, number]>) => {
    const byStep = new Map(points);
    return xs.map((x) => byStep.get(x) ?? null);
  };
  return [xs, column(steps), column(checkpoints)] as uPlot.AlignedData;
}

export function LossChart({ steps, checkpoints }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const element = host.current!;
    const axis = {
      stroke: '#8b93a7',
      grid: { stroke: 'rgba(139,147,167,0.15)' },
      ticks: { stroke: 'rgba(139,147,167,0.25)' },
    };
    const created = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: false } },
        axes: [
          { ...axis, label: 'step', labelSize: 18 },
          { ...axis, size: 52, values: (_u, ticks) => ticks.map((t) => t.toFixed(2)) },
        ],
        series: [
          {},
          { label: 'loss per step', stroke: '#6ea8fe', width: 1.5, spanGaps: true, points: { show: false } },
          {
            label: 'checkpoint mean',
            stroke: '#f4b740',
            width: 2,
            spanGaps: true,
            points: { show: true, size: 5, fill: '#f4b740' },
          },
        ],
      },
      alignedData(steps, checkpoints),
      element,
    );
    plot.current = created;
    const resize = new ResizeObserver(() =>
      created.setSize({ width: Math.max(280, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      created.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(alignedData(steps, checkpoints), true);
  }, [steps, checkpoints]);

  const last = steps.at(-1) ?? checkpoints.at(-1);
  return (
    <div class="loss-chart" data-testid="loss-chart" data-points={steps.length + checkpoints.length}>
      <div
        ref={host}
        role="img"
        aria-label={
          last
            ? `Training loss; latest ${last[1].toFixed(4)} at step ${last[0]}`
            : 'Training loss (no points yet)'
        }
      />
      <ul class="timeline-legend">
        <li>
          <span class="swatch" style={{ background: '#6ea8fe' }} /> loss per step (this run)
        </li>
        <li>
          <span class="swatch" style={{ background: '#f4b740' }} /> mean per checkpoint
        </li>
      </ul>
    </div>
  );
}
