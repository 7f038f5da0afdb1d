/**
 * Renders engine progress events as a bar on an interactive terminal. Elsewhere (a log file, a pipe, CI) it
 * writes a plain line at most every `intervalMs`, the first after `intervalMs`: long jobs (alignment, training)
 * still show where they are, and short ones (or a one-line error) stay quiet.
 */
import { SingleBar, Presets } from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../util/progress.ts';

export interface ProgressBar {
  listener: ProgressListener;
  stop(): void;
}

export function createProgressBar(
  stream: NodeJS.WriteStream = process.stderr,
  intervalMs = 30_000,
  now: () => number = Date.now,
): ProgressBar {
  if (!stream.isTTY) return progressLines(stream, intervalMs, now);
  let bar: SingleBar | undefined;
  let stage = '';
  const listener = (event: ProgressEvent): void => {
    if (event.stage !== stage) {
      bar?.stop();
      stage = event.stage;
      bar = new SingleBar(
        {
          stream,
          format: `${event.stage.padEnd(8)} [{bar}] {percentage}% | {value}/{total} | {detail}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        Presets.shades_classic,
      );
      bar.start(event.total ?? 0, event.done, { detail: event.detail ?? '' });
      return;
    }
    if (event.total !== undefined) bar?.setTotal(event.total);
    bar?.update(event.done, { detail: event.detail ?? '' });
  };
  return {
    listener,
    stop: () => {
      bar?.stop();
      bar = undefined;
    },
  };
}

function progressLines(stream: NodeJS.WritableStream, intervalMs: number, now: () => number): ProgressBar {
  let last = now();
  return {
    listener: (event) => {
      if (now() - last < intervalMs) return;
      const of = event.total !== undefined ? `/${event.total}` : '';
      stream.write(`${event.stage} ${event.done}${of}${event.detail ? ` · ${event.detail}` : ''}\n`);
      last = now();
    },
    stop: () => undefined,
  };
}
