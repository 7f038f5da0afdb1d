/**
 * The `unmask scan` output, version 1, defined once with zod: the TypeScript types are inferred from it, the
 * JSON Schema in docs/scan-format.schema.json is generated from it (npm run docs:schema), and files are
 * validated against it when read back. Coordinates are display pixels of the video (after rotation).
 */
import { z } from 'zod';
import { VERBAL_STRENGTHS, VERDICT_LABELS } from '../detect/verdict.ts';
import { scanCaveats } from './verdict-basis.ts';

export const SCAN_FORMAT = 'unmask.scan';
export const SCAN_FORMAT_VERSION = 2;

const point = z.tuple([z.number(), z.number()]);

export const boxSchema = z
  .object({ x: z.number(), y: z.number(), width: z.number().nonnegative(), height: z.number().nonnegative() })
  .describe('Axis-aligned box in display pixels; x, y is the top-left corner.');

const verbalStrength = z
  .enum(VERBAL_STRENGTHS)
  .describe(
    'InVID/WeVerify verbal scale of the evidence for manipulation; null unless the score is flagged or inconclusive.',
  );
const verdictLabel = z.enum(VERDICT_LABELS);

export const faceManipulationSchema = z
  .object({
    status: z
      .enum(['scored', 'too-small', 'not-scored'])
      .describe('too-small: under the minimum size, not judged; not-scored: the scan ran with --faces-only.'),
    probability: z
      .number()
      .min(0)
      .max(1)
      .nullable()
      .describe('Calibrated probability that the face is manipulated.'),
    logit: z.number().nullable().describe('Raw detector output before calibration.'),
    strength: verbalStrength.nullable(),
    caveats: z.array(z.string()).describe('Conditions that lower confidence, e.g. a turned head.'),
    heatmap: z
      .array(z.number().min(0).max(1))
      .nullable()
      .describe(
        'Blend-boundary map (heatmapSize², row-major, aligned-crop space) for flagged faces; else null.',
      ),
  })
  .describe('Manipulation evidence for one face.');

export const scannedFaceSchema = z.object({
  trackId: z.number().int().positive().describe('Stable id of the person track this face belongs to.'),
  box: boxSchema,
  detectorScore: z.number().min(0).max(1).describe('Face detector (BlazeFace) confidence.'),
  meshScore: z.number().min(0).max(1).describe('Face mesh confidence.'),
  keypoints: z
    .object({ leftEye: point, rightEye: point, noseTip: point, mouthLeft: point, mouthRight: point })
    .describe('Alignment keypoints; left/right as seen in the image.'),
  landmarks: z
    .array(point)
    .describe('The 468 FaceMesh points (empty when --no-landmarks), rounded to 0.1 px.'),
  pose: z
    .object({ yaw: z.number(), pitch: z.number(), roll: z.number() })
    .nullable()
    .describe('Head pose in radians, when available.'),
  manipulation: faceManipulationSchema,
});

export const scannedFrameSchema = z.object({
  index: z.number().int().nonnegative().describe('0-based index among sampled frames.'),
  timeSec: z.number().describe('Presentation time of the frame, seconds from the start of the file.'),
  faces: z.array(scannedFaceSchema),
});

export const trackSummarySchema = z.object({
  id: z.number().int().positive(),
  firstTimeSec: z.number(),
  lastTimeSec: z.number(),
  frames: z.number().int().positive().describe('Sampled frames in which this person was found.'),
  scoredFrames: z.number().int().nonnegative().describe('Frames where the face was large enough to judge.'),
  score: z
    .number()
    .min(0)
    .max(1)
    .nullable()
    .describe('Robust track score: a high quantile of the smoothed probabilities.'),
  label: verdictLabel,
  strength: verbalStrength.nullable(),
  decisive: z.boolean().describe('Long enough to count towards the video verdict.'),
  smoothed: z
    .array(z.object({ timeSec: z.number(), probability: z.number() }))
    .describe('Per-frame probabilities after the moving median, for timelines.'),
});

export const aiTagSchema = z.object({
  tag: z.string().describe('The tag as written; stream tags are prefixed video. or audio.'),
  value: z.string().describe('Its value, verbatim.'),
  says: z
    .enum(['ai-generated', 'not-ai-generated', 'unclear'])
    .describe(
      'ai-generated: a tag named for it with a yes, or an IPTC generated-media source type; not-ai-generated: a ' +
        'tag named for it with a no; unclear: any other value, or free text that mentions it.',
    ),
});

export const aiLabelSchema = z
  .object({
    aiGenerated: z
      .boolean()
      .describe('True when some tag declares the content AI-generated (e.g. ai_generated=true).'),
    tag: z
      .string()
      .describe(
        'The tag that carries the declaration, as written (e.g. ai_generated): the first that says ai-generated, ' +
          'else not-ai-generated, else unclear.',
      ),
    value: z.string().describe('Its value, verbatim.'),
    generator: z
      .string()
      .nullable()
      .describe('The tool that made the file, when it says (unmask_generator).'),
    consent: z
      .string()
      .nullable()
      .describe('The consent statement recorded with the file, when present (unmask_consent).'),
    tags: z
      .array(aiTagSchema)
      .optional()
      .describe('Every tag that speaks about AI generation (absent in files written before it was added).'),
  })
  .describe(
    "What the file's own tags say about AI generation (engine/scan/ai-label.ts); present only when some tag " +
      "speaks about it. Unmask's swap studio writes ai_generated=true on every render.",
  );

const toolSchema = z.object({
  path: z.string(),
  source: z.string(),
  version: z.string(),
  libavcodec: z.string().nullable().optional().describe('The libavcodec it was built with.'),
  choice: z.string().optional().describe('Why this ffmpeg/ffprobe was chosen among the ones found.'),
  warning: z.string().optional().describe('Present when it is older than FFmpeg 5.0: a known risk.'),
});

const damageSchema = z
  .object({
    decodeErrors: z
      .number()
      .int()
      .nonnegative()
      .describe('Errors ffmpeg reported while decoding on past damaged data (skipped or concealed).'),
    firstErrors: z.array(z.string()).describe('The first few of those messages, verbatim.'),
    missing: z
      .array(z.object({ fromSec: z.number().nonnegative(), toSec: z.number().nonnegative() }))
      .describe('Time ranges where the sampling expected frames and none could be decoded: not analysed.'),
    caveat: z
      .string()
      .describe(
        'The damage in one sentence, for people: the same sentence is the first of verdict.caveats (scans ' +
          'written before caveats existed also ended summary.message with it).',
      ),
  })
  .describe(
    'Present only when the input is damaged: decoding went on past errors, or left holes in the timeline.',
  );

export const scanResultSchema = z.object({
  format: z.literal(SCAN_FORMAT),
  formatVersion: z.literal(SCAN_FORMAT_VERSION),
  input: z.object({
    path: z.string().describe('Absolute path at scan time.'),
    fileName: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .describe('SHA-256 of the input file bytes (chain of custody).'),
  }),
  probe: z
    .record(z.string(), z.unknown())
    .describe('ffprobe facts: container, streams, rotation, tags (see VideoProbe).'),
  settings: z.object({
    sampling: z.object({
      fps: z.number().positive().optional(),
      everyNth: z.number().int().positive().optional(),
      maxFrames: z.number().int().positive().optional(),
      startSec: z.number().nonnegative().optional(),
      endSec: z.number().positive().optional(),
    }),
    detectionMaxSide: z
      .number()
      .int()
      .positive()
      .describe('Frames are downscaled to this longer side for face detection.'),
    minFaceSize: z
      .number()
      .positive()
      .describe('Faces whose shorter box side is below this (display px) are not judged.'),
    heatmapThreshold: z
      .number()
      .min(0)
      .max(1)
      .describe('Faces at or above this probability keep their heatmap.'),
    heatmapSize: z.number().int().positive(),
    faceDetector: z.record(z.string(), z.unknown()),
  }),
  engine: z.object({
    name: z.literal('unmask'),
    version: z.string(),
    tensorflowBackend: z.string(),
    tfjsVersion: z.string(),
    ffmpeg: toolSchema,
    ffprobe: toolSchema,
    models: z.array(z.object({ name: z.string(), file: z.string(), sha256: z.string() })),
  }),
  aiLabel: aiLabelSchema.optional(),
  damage: damageSchema.optional(),
  frames: z.array(scannedFrameSchema),
  tracks: z.array(trackSummarySchema),
  verdict: z.object({
    label: verdictLabel,
    score: z.number().min(0).max(1).nullable(),
    strength: verbalStrength.nullable(),
    decidingTrackId: z.number().int().nullable(),
    inconclusiveBand: z.tuple([z.number(), z.number()]),
    method: z.string().describe('How frames, tracks and the video were aggregated.'),
    caveats: z
      .array(z.string())
      .optional()
      .describe(
        'Plain sentences on what the verdict rests on: a damaged input (first, naming the time ranges not ' +
          'analysed), faces judged in under half the sampled frames, fewer than 8 judged frames behind it, heavy ' +
          'compression. Absent in files written before it was added; readers derive them from the scan ' +
          '(engine/scan/verdict-basis.ts).',
      ),
  }),
  summary: z.object({
    sampledFrames: z.number().int().nonnegative(),
    framesWithFaces: z.number().int().nonnegative(),
    faces: z.number().int().nonnegative(),
    tracks: z.number().int().nonnegative(),
    noFacesFound: z.boolean(),
    message: z.string().describe('One-line human summary.'),
  }),
  run: z
    .object({ startedAt: z.string(), durationSec: z.number().nonnegative() })
    .describe('When and how long: the only fields that change between identical scans.'),
});

export type ScanBox = z.infer<typeof boxSchema>;
export type AiLabel = z.infer<typeof aiLabelSchema>;
export type AiTag = z.infer<typeof aiTagSchema>;
export type ScanDamage = z.infer<typeof damageSchema>;
export type ScannedFace = z.infer<typeof scannedFaceSchema>;
export type ScannedFrame = z.infer<typeof scannedFrameSchema>;
/** A scan file as written, by this or an earlier version 2 writer. */
export type ScanResultFile = z.infer<typeof scanResultSchema>;
/** A scan as read back: `verdict.caveats` is always there (derived for files that predate it). */
export type ScanResult = ScanResultFile & { verdict: { caveats: string[] } };
export type ScanTrack = z.infer<typeof trackSummarySchema>;
/** A scan without its frames: what a streaming scan keeps in memory (its frames are in a FrameLog). */
export type ScanHead = Omit<ScanResult, 'frames'>;
/** A scan whose frames are read one at a time: from a FrameLog, the case library, or an array. */
export type ScanRecord = ScanHead & { frames: Iterable<ScannedFrame> };

/**
 * The head with its frames put back, keys in the order the schema (and every scan file) has them. The order comes
 * from the schema itself, so a field added there is never dropped here.
 */
export function withFrames<F>(head: ScanHead, frames: F): Omit<ScanHead, 'frames'> & { frames: F } {
  const fields: Record<string, unknown> = head;
  return Object.fromEntries(
    Object.keys(scanResultSchema.shape)
      .map((key) => [key, key === 'frames' ? frames : fields[key]])
      .filter(([, value]) => value !== undefined),
  ) as Omit<ScanHead, 'frames'> & { frames: F };
}

export function parseScanResult(json: unknown): ScanResult {
  return completeScan(scanResultSchema.parse(json));
}

/** Fills in what files written before a field existed lack, from the rest of the scan. */
export function completeScan(scan: ScanResultFile): ScanResult {
  if (scan.verdict.caveats) return { ...scan, verdict: { ...scan.verdict, caveats: scan.verdict.caveats } };
  // Such files ended the summary with the damage caveat, which is now the first of the caveats: say it once.
  const damageNote = scan.damage ? ` ${scan.damage.caveat}` : null;
  const message =
    damageNote && scan.summary.message.endsWith(damageNote)
      ? scan.summary.message.slice(0, -damageNote.length)
      : scan.summary.message;
  return {
    ...scan,
    verdict: { ...scan.verdict, caveats: scanCaveats(scan) },
    summary: { ...scan.summary, message },
  };
}
