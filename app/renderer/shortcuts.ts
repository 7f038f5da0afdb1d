/**
 * Keyboard shortcuts: the Analysis screen's transport (what each key does to the player) and the list the `?`
 * overlay shows. Pure: keys in, actions out; the screen carries them out on the <video>.
 */

/** What a key asks of the player. */
export type TransportAction =
  | { type: 'toggle-play' }
  | { type: 'pause' }
  /** Play forward at this rate (1×, and faster on each further press). */
  | { type: 'play'; rate: number }
  /** Go to this time and stop there. */
  | { type: 'seek'; timeSec: number };

export interface PlayerState {
  timeSec: number;
  durationSec: number;
  playing: boolean;
  rate: number;
  /** Times of the sampled frames, ascending. */
  sampleTimes: readonly number[];
}

/** L plays at 1×, then 2× and 4× on further presses while playing. */
const FASTEST = 4;
/** How far J steps back (a browser cannot play backwards). */
const STEP_BACK_SEC = 1;

/** ←/→ step between sampled frames; Home and End go to the first and last one. Null when there is none. */
export function sampledFrameTarget(
  key: string,
  state: Pick<PlayerState, 'timeSec' | 'durationSec' | 'sampleTimes'>,
) {
  const times = state.sampleTimes;
  if (key === 'Home') return times[0] ?? 0;
  if (key === 'End') return times.at(-1) ?? state.durationSec;
  if (key === 'ArrowRight') return times.find((t) => t > state.timeSec + 1e-3) ?? null;
  if (key === 'ArrowLeft') return times.filter((t) => t < state.timeSec - 1e-3).at(-1) ?? null;
  return null;
}

export function transportAction(key: string, state: PlayerState): TransportAction | null {
  switch (key) {
    case ' ':
      return { type: 'toggle-play' };
    case 'k':
    case 'K':
      return { type: 'pause' };
    case 'l':
    case 'L':
      return { type: 'play', rate: state.playing ? Math.min(FASTEST, state.rate * 2) : 1 };
    case 'j':
    case 'J':
      return { type: 'seek', timeSec: Math.max(0, state.timeSec - STEP_BACK_SEC) };
  }
  const target = sampledFrameTarget(key, state);
  return target === null ? null : { type: 'seek', timeSec: target };
}

/** Keys typed into these are text, not shortcuts. */
export function isTextEntry(target: { tagName?: string; type?: string; isContentEditable?: boolean } | null) {
  if (!target?.tagName) return false;
  const tag = target.tagName.toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable) return true;
  return (
    tag === 'INPUT' && !['checkbox', 'radio', 'button', 'submit', 'range'].includes(target.type ?? 'text')
  );
}

/** What the `?` overlay lists, in groups. */
export const SHORTCUTS: ReadonlyArray<{
  group: string;
  keys: ReadonlyArray<{ keys: string[]; what: string }>;
}> = [
  {
    group: 'Player (Analysis)',
    keys: [
      { keys: ['Space'], what: 'Play or pause' },
      { keys: ['K'], what: 'Pause' },
      { keys: ['L'], what: 'Play; press again for 2× and 4×' },
      { keys: ['J'], what: 'Back one second' },
      { keys: ['←', '→'], what: 'Previous or next sampled frame' },
      { keys: ['Home', 'End'], what: 'First or last sampled frame' },
    ],
  },
  {
    group: 'Anywhere',
    keys: [
      { keys: ['Ctrl', 'O'], what: 'Open a video' },
      { keys: ['Ctrl', '1…6'], what: 'Home, Analysis, Batch, Studio, Reports, Settings' },
      { keys: ['?'], what: 'Show these shortcuts' },
      { keys: ['Esc'], what: 'Close a dialog' },
    ],
  },
];
