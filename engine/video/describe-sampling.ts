/** Frame sampling in plain words, for reports and the UI (pure text, no I/O). */
import type { FrameSampling } from './decode.ts';

/** The sampling in plain words: "5 frames per second, from 2 s to 10 s, at most 100 frames". */
export function describeSampling(sampling: FrameSampling): string {
  const { fps, everyNth, maxFrames, startSec, endSec } = sampling;
  const parts = [
    fps !== undefined
      ? `${frames(fps)} per second`
      : everyNth !== undefined && everyNth > 1
        ? `every ${ordinal(everyNth)} frame`
        : 'every frame',
  ];
  if (startSec !== undefined || endSec !== undefined)
    parts.push(
      endSec !== undefined ? `from ${startSec ?? 0} s to ${endSec} s` : `from ${startSec} s to the end`,
    );
  if (maxFrames !== undefined) parts.push(`at most ${frames(maxFrames)}`);
  return parts.join(', ');
}

function frames(n: number): string {
  return `${n} frame${n === 1 ? '' : 's'}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}
