/**
 * The verdict vocabulary, in one place: the flag threshold and the inconclusive band, the four labels and their
 * wording, the InVID verbal strengths, tones and colours, the caveats, and the sentences that explain a verdict.
 * The scan JSON, the CLI, the app and the reports all read these functions, so no two of them can disagree.
 *
 * Pure and import-free: the renderer bundles this file too (through app/common/verdict.ts), so it must run in
 * a browser. Change a value here and every surface follows; docs/detector.md explains the values.
 */

// ---------------------------------------------------------------- thresholds

/** A video, person or face scoring at or above this is "likely manipulated" (upper edge of the band). */
export const FLAG_THRESHOLD = 0.65;

/** Scores in [low, high) are "inconclusive": not evidence either way. */
export const INCONCLUSIVE_BAND: readonly [number, number] = [0.35, FLAG_THRESHOLD];

export interface Thresholds {
  flagAt: number;
  inconclusiveBand: readonly [number, number];
}

export const STANDARD_THRESHOLDS: Thresholds = {
  flagAt: FLAG_THRESHOLD,
  inconclusiveBand: INCONCLUSIVE_BAND,
};

/**
 * What the app's player, timeline and chips highlight. The saved verdict, the person cards and the consent
 * warning always use the standard thresholds.
 */
export const THRESHOLD_PROFILES = {
  /** The shipped verdict bands. */
  standard: { label: 'Standard', ...STANDARD_THRESHOLDS },
  /** Warn earlier: for triage, where a missed fake costs more than a second look. */
  sensitive: { label: 'Sensitive (triage)', flagAt: 0.5, inconclusiveBand: [0.3, 0.5] },
  /** Warn later: for material where false alarms are costly. */
  conservative: { label: 'Conservative', flagAt: 0.8, inconclusiveBand: [0.45, 0.8] },
} as const satisfies Record<string, Thresholds & { label: string }>;

export type ThresholdProfile = keyof typeof THRESHOLD_PROFILES;

// ---------------------------------------------------------------- labels and strengths

export const VERDICT_LABELS = [
  'likely-manipulated',
  'inconclusive',
  'no-manipulation-detected',
  'not-enough-evidence',
] as const;
export type VerdictLabel = (typeof VERDICT_LABELS)[number];

export const VERBAL_STRENGTHS = ['weak', 'moderate', 'strong', 'very strong'] as const;
export type VerbalStrength = (typeof VERBAL_STRENGTHS)[number];

/** The label of a score; no score (nothing judged) is "not enough evidence". */
export function verdictFor(
  score: number | null,
  band: readonly [number, number] = INCONCLUSIVE_BAND,
): VerdictLabel {
  if (score === null || !Number.isFinite(score)) return 'not-enough-evidence';
  if (score >= band[1]) return 'likely-manipulated';
  if (score >= band[0]) return 'inconclusive';
  return 'no-manipulation-detected';
}

/** Labels whose score is evidence for manipulation, so a strength and a consent warning can apply. */
const EVIDENCE_FOR_MANIPULATION: ReadonlySet<VerdictLabel> = new Set(['likely-manipulated', 'inconclusive']);

/**
 * The InVID/WeVerify verbal scale (under 50% weak, from 50% moderate, from 70% strong, from 90% very strong). It
 * describes evidence *for* manipulation, so it is given only for flagged and inconclusive scores: a low score is
 * not "weak evidence", and "not enough evidence" has no strength at all.
 */
export function strengthFor(
  score: number | null,
  label: VerdictLabel = verdictFor(score),
): VerbalStrength | null {
  if (score === null || !Number.isFinite(score) || !EVIDENCE_FOR_MANIPULATION.has(label)) return null;
  if (score >= 0.9) return 'very strong';
  if (score >= 0.7) return 'strong';
  if (score >= 0.5) return 'moderate';
  return 'weak';
}

/** "Not enough evidence" never carries a percentage: a score behind it decides nothing. */
export const showsScore = (label: VerdictLabel) => label !== 'not-enough-evidence';

// ---------------------------------------------------------------- words, tones and colours

export const VERDICT_TEXT: Record<VerdictLabel, string> = {
  'likely-manipulated': 'Likely manipulated',
  inconclusive: 'Inconclusive',
  'no-manipulation-detected': 'No manipulation detected',
  'not-enough-evidence': 'Not enough evidence',
};

export const VERDICT_HEADLINES: Record<VerdictLabel, string> = {
  'likely-manipulated': 'At least one face in this video is likely manipulated.',
  inconclusive: 'The evidence is inconclusive: it neither supports nor rules out manipulation.',
  'no-manipulation-detected': 'No manipulation was detected in the faces of this video.',
  'not-enough-evidence': 'No face could be judged, so there is no evidence either way.',
};

export type Tone = 'danger' | 'warning' | 'ok' | 'neutral';

export const VERDICT_TONE: Record<VerdictLabel, Tone> = {
  'likely-manipulated': 'danger',
  inconclusive: 'warning',
  'no-manipulation-detected': 'ok',
  'not-enough-evidence': 'neutral',
};

/**
 * Each tone's colour: `dark` as text and outlines on the app's dark background (WCAG AA on its panels),
 * `light` as ink or behind white text on paper, and `tint` as the background of a box on paper.
 */
export const TONE_COLOURS: Record<Tone, { dark: string; light: string; tint: string }> = {
  danger: { dark: '#ff7b78', light: '#b91c1c', tint: '#fef2f2' },
  warning: { dark: '#f4b740', light: '#b45309', tint: '#fffbeb' },
  ok: { dark: '#3ecf8e', light: '#15803d', tint: '#f0fdf4' },
  neutral: { dark: '#9aa3b5', light: '#4b5563', tint: '#f3f4f6' },
};

/** The tone of one score (a face in one frame, a point on a timeline) under the given thresholds. */
export function scoreTone(score: number | null, thresholds: Thresholds = STANDARD_THRESHOLDS): Tone {
  if (score === null || !Number.isFinite(score)) return 'neutral';
  if (score >= thresholds.flagAt) return 'danger';
  if (score >= thresholds.inconclusiveBand[0]) return 'warning';
  return 'ok';
}

// ---------------------------------------------------------------- sentences

export const formatPercent = (score: number | null) => (score === null ? '—' : `${Math.round(score * 100)}%`);

/** "1 frame", "2 frames"; `many` for irregular plurals ("people"). */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "Likely manipulated · 78%", or the label alone where no score applies. */
export function verdictBadgeText(label: VerdictLabel, score: number | null): string {
  return showsScore(label) && score !== null
    ? `${VERDICT_TEXT[label]} · ${formatPercent(score)}`
    : VERDICT_TEXT[label];
}

/** "strong evidence of manipulation" */
export const strengthPhrase = (strength: VerbalStrength) => `${strength} evidence of manipulation`;

/** The verdict in one lower-case phrase, for summaries and the CLI. */
export function describeVerdict(label: VerdictLabel, score: number | null): string {
  const strength = strengthFor(score, label);
  const pct = formatPercent(score);
  switch (label) {
    case 'likely-manipulated':
      return `likely manipulated (${pct}, ${strengthPhrase(strength!)})`;
    case 'inconclusive':
      return `inconclusive (${pct}, ${strengthPhrase(strength!)}: not enough to decide)`;
    case 'no-manipulation-detected':
      return `no manipulation detected (${pct})`;
    case 'not-enough-evidence':
      return 'not enough evidence to judge';
  }
}

/** What a person's card says about them, in the app and in reports. */
export interface PersonFacts {
  label: VerdictLabel;
  score: number | null;
  /** Sampled frames the person was seen in, and how many of them were judged. */
  frames: number;
  scoredFrames: number;
  decisive: boolean;
}

export function describePerson(person: PersonFacts): string {
  const judged = plural(person.scoredFrames, 'judged frame');
  if (person.scoredFrames === 0)
    return `Too small or unclear to judge in ${person.frames === 1 ? 'its only frame' : `all ${person.frames} of its frames`}, so this person does not count towards the verdict.`;
  if (!person.decisive || person.label === 'not-enough-evidence')
    return `Judged in only ${plural(person.scoredFrames, 'frame')}: too few to count towards the verdict.`;
  const strength = strengthFor(person.score, person.label);
  switch (person.label) {
    case 'likely-manipulated':
      return `Likely manipulated: ${strengthPhrase(strength!)} over ${judged}.`;
    case 'inconclusive':
      return `Inconclusive: ${strengthPhrase(strength!)} over ${judged}, neither enough to flag nor to clear.`;
    case 'no-manipulation-detected':
      return `No manipulation detected in ${judged}.`;
  }
}

/** The scan's one-line summary. */
export function describeScan(facts: {
  faces: number;
  framesWithFaces: number;
  sampledFrames: number;
  people: number;
  label: VerdictLabel;
  score: number | null;
}): string {
  if (facts.faces === 0)
    return `No faces found in ${plural(facts.sampledFrames, 'sampled frame')}: nothing to judge.`;
  return (
    `${plural(facts.faces, 'face')} in ${facts.framesWithFaces} of ${plural(facts.sampledFrames, 'sampled frame')}, ` +
    `${plural(facts.people, 'person', 'people')} tracked; verdict: ${describeVerdict(facts.label, facts.score)}.`
  );
}

// ---------------------------------------------------------------- caveats: what the verdict rests on

/** A verdict resting on fewer judged frames of its deciding person than this gets a caveat. */
export const FEW_JUDGED_FRAMES = 8;

/**
 * Video bits per pixel (bit rate / (width × height × frame rate)) below which footage counts as heavily
 * compressed. The real clips the detector was trained on run from 0.028 to 1.16 bits per pixel (median 0.064;
 * `video/real` in the shared data), so 0.02 is below all of them; at such rates compression smooths away the
 * blending traces the detector looks for.
 */
export const LOW_BITS_PER_PIXEL = 0.02;

/** What a damaged input cost the scan: ffmpeg's decode errors and the time ranges no frame came from. */
export interface DecodeDamage {
  decodeErrors: number;
  missing: ReadonlyArray<{ fromSec: number; toSec: number }>;
}

const seconds = (t: number) => `${t.toFixed(1)} s`;

/**
 * The damage in one sentence, naming the time ranges that were not analysed: a verdict must not read as covering
 * frames nobody saw. The scan also keeps it as `damage.caveat` and at the end of its summary.
 */
export function damageCaveat({ decodeErrors, missing }: DecodeDamage): string {
  const ranges = missing.map((r) => `from ${seconds(r.fromSec)} to ${seconds(r.toSec)}`);
  const errors = `ffmpeg reported ${plural(decodeErrors, 'decode error')}`;
  const holes = `no frame could be decoded ${ranges.join(', ')}`;
  const covers = 'The verdict covers only what could be decoded.';
  if (decodeErrors === 0) return `Frames are missing: ${holes}; those parts were not analysed. ${covers}`;
  return missing.length
    ? `The file is damaged: ${errors} and ${holes}; those parts were not analysed. ${covers}`
    : `The file is damaged: ${errors}; some frames may be partly guessed by the decoder. ${covers}`;
}

/** The facts a verdict rests on (engine/scan/verdict-basis.ts reads them from a scan). */
export interface VerdictBasis {
  /** Decode errors and missing time ranges of a damaged input; null when it decoded cleanly. */
  damage: DecodeDamage | null;
  sampledFrames: number;
  /** Sampled frames with at least one judged face. */
  judgedFrames: number;
  /** The person who decides the verdict, and in how many frames they were judged; null when nobody decides. */
  decidingTrackId: number | null;
  decidingFrames: number | null;
  /** The video's bits per pixel, null when its bit rate is unknown. */
  bitsPerPixel: number | null;
}

/**
 * Plain sentences, shown in the verdict box, for each way the evidence behind a verdict is thin. Damage comes
 * first: it says which parts of the video the verdict does not cover at all.
 */
export function verdictCaveats(basis: VerdictBasis): string[] {
  const caveats: string[] = [];
  if (basis.damage) caveats.push(damageCaveat(basis.damage));
  // With no judged frame at all the verdict is "not enough evidence", which says so itself.
  if (basis.judgedFrames > 0 && basis.judgedFrames < basis.sampledFrames / 2)
    caveats.push(
      `Faces could be judged in only ${basis.judgedFrames} of ${plural(basis.sampledFrames, 'sampled frame')} ` +
        `(${formatPercent(basis.judgedFrames / basis.sampledFrames)}): the verdict says nothing about the rest of the video.`,
    );
  if (basis.decidingFrames !== null && basis.decidingFrames < FEW_JUDGED_FRAMES)
    caveats.push(
      `The verdict rests on only ${plural(basis.decidingFrames, 'judged frame')} of person ${basis.decidingTrackId}; ` +
        `with fewer than ${FEW_JUDGED_FRAMES} it can turn on a few frames.`,
    );
  if (basis.bitsPerPixel !== null && basis.bitsPerPixel < LOW_BITS_PER_PIXEL)
    caveats.push(
      `The video is heavily compressed (${basis.bitsPerPixel.toFixed(3)} bits per pixel, below the footage the ` +
        'detector was trained on): compression blurs the traces it looks for, so a low score means less.',
    );
  return caveats;
}

// ---------------------------------------------------------------- the consent warning

/** The report's consent warning, shown whenever a person is flagged. */
export const CONSENT_WARNING_TEXT =
  'This video appears to contain synthetic or manipulated faces. Sharing synthetic media of real people without ' +
  'their consent can cause serious harm and may be unlawful. Verify with the people shown and the original source ' +
  'before publishing or forwarding it.';

/** The part of a person's track the consent warning needs. */
export interface TrackVerdict {
  id: number;
  label: VerdictLabel;
  score: number | null;
}

/**
 * The people on screen whose *track* is flagged (their smoothed track score, judged over enough frames, is at
 * or above the flag threshold). The player shows the consent warning while this is not empty. A single
 * high-scoring frame of a person whose track is not flagged never raises it: such spikes are shown on the
 * timeline and among the highest-scoring frames, not as a claim that the face is synthetic.
 */
export function flaggedPeopleOnScreen(
  onScreenTrackIds: Iterable<number>,
  tracks: readonly TrackVerdict[],
): TrackVerdict[] {
  const flagged = new Map(tracks.filter((t) => t.label === 'likely-manipulated').map((t) => [t.id, t]));
  return [...new Set(onScreenTrackIds)].flatMap((id) => (flagged.has(id) ? [flagged.get(id)!] : []));
}

/** The player's consent warning for the flagged people on screen. */
export function consentOverlayText(people: readonly TrackVerdict[]): { title: string; body: string } {
  const strongest = people.reduce<TrackVerdict | null>(
    (a, b) => (a && (a.score ?? 0) >= (b.score ?? 0) ? a : b),
    null,
  );
  const strength = strongest ? strengthFor(strongest.score, strongest.label) : null;
  const who =
    people.length === 1 ? `person ${people[0]!.id}` : `people ${people.map((p) => p.id).join(' and ')}`;
  return {
    title: people.length === 1 ? 'This face is likely manipulated.' : 'These faces are likely manipulated.',
    body:
      `Across the video, Unmask found ${strength ? strengthPhrase(strength) : 'evidence of manipulation'} in the face of ${who}. ` +
      'Creating or sharing synthetic media of real people without their consent can cause serious harm and may be ' +
      'illegal. Check before you share.',
  };
}
