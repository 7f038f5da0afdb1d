/** Renders engine progress events as a bar on an interactive terminal; stays silent otherwise. */
import { SingleBar, Presets } from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '../util/progress.ts';

export interface ProgressBar {
  listener: ProgressListener;
  stop(): void;
}

export function createProgressBar(stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { listener: () => undefined, stop: () => undefined };
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
