/** Display helpers: times, sizes, people's colours, and the verdict tones as CSS variables. Pure but for
 * `applyToneColours`. Verdict words, tones and thresholds come from app/common/verdict.ts. */
import { TONE_COLOURS, type Tone } from '../common/verdict.ts';

/** Sets `--tone-danger` … `--tone-neutral` (used by the `.tone-*` classes) from the verdict vocabulary. */
export function applyToneColours(root: HTMLElement): void {
  for (const tone of Object.keys(TONE_COLOURS) as Tone[])
    root.style.setProperty(`--tone-${tone}`, TONE_COLOURS[tone].dark);
}

export function clock(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = seconds - m * 60;
  return `${m}:${s.toFixed(1).padStart(4, '0')}`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** Distinct colours for people (tracks), readable on the dark background. */
const TRACK_COLOURS = ['#6ea8fe', '#c29ffa', '#5fd4d4', '#f08fc0', '#a3cf62', '#f6a560'];
export const trackColour = (trackId: number) => TRACK_COLOURS[(trackId - 1) % TRACK_COLOURS.length]!;
