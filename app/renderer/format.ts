/** Display helpers: verdict wording and colours, percentages, times. Pure. */
import { THRESHOLD_PROFILES, type ScanResult, type ThresholdProfile } from '../common/contract.ts';

export type VerdictLabel = ScanResult['verdict']['label'];

export const VERDICT_TEXT: Record<VerdictLabel, string> = {
  'likely-manipulated': 'Likely manipulated',
  inconclusive: 'Inconclusive',
  'no-manipulation-detected': 'No manipulation detected',
  'not-enough-evidence': 'Not enough evidence',
};

export const VERDICT_TONE: Record<VerdictLabel, 'danger' | 'warn' | 'ok' | 'muted'> = {
  'likely-manipulated': 'danger',
  inconclusive: 'warn',
  'no-manipulation-detected': 'ok',
  'not-enough-evidence': 'muted',
};

export const TONE_COLOUR = { danger: '#ef5350', warn: '#f4b740', ok: '#3ecf8e', muted: '#8b93a7' } as const;

/** The tone of one probability under a threshold profile. */
export function scoreTone(probability: number | null, profile: ThresholdProfile): keyof typeof TONE_COLOUR {
  if (probability === null) return 'muted';
  const { flagAt, inconclusiveBand } = THRESHOLD_PROFILES[profile];
  if (probability >= flagAt) return 'danger';
  if (probability >= inconclusiveBand[0]) return 'warn';
  return 'ok';
}

export const percent = (value: number | null) => (value === null ? '—' : `${Math.round(value * 100)}%`);

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
