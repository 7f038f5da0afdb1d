/**
 * The report format `unmask.report`, version 2: what a verification desk files. Defined once with zod; the JSON
 * Schema in docs/report-format.schema.json is generated from it (npm run docs:schema).
 *
 * A report is a pure function of the scan, the case id, its notes and provenance: the same scan gives the same
 * report, except `generatedAt` and `scan.timing`, the wall-clock facts of when things ran.
 */
import { z } from 'zod';
import { VERBAL_STRENGTHS, VERDICT_LABELS } from '../detect/verdict.ts';
import { aiTagSchema } from '../scan/scan-result.ts';

export const REPORT_FORMAT = 'unmask.report';
export const REPORT_FORMAT_VERSION = 2;

const verdictLabel = z.enum(VERDICT_LABELS);
const verbalStrength = z
  .enum(VERBAL_STRENGTHS)
  .describe(
    'InVID/WeVerify verbal scale of the evidence for manipulation; null unless the score is flagged or inconclusive.',
  );
const box = z.object({ x: z.number(), y: z.number(), width: z.number(), height: z.number() });

export const reportFrameSchema = z.object({
  frameIndex: z.number().int().nonnegative(),
  timeSec: z.number(),
  probability: z.number().min(0).max(1),
  strength: verbalStrength.nullable(),
  box,
  caveats: z.array(z.string()),
  heatmap: z
    .object({ size: z.number().int().positive(), values: z.array(z.number().min(0).max(1)) })
    .nullable()
    .describe('Blend-boundary map in aligned-crop space (size², row-major), when the scan kept it.'),
});

export const reportPersonSchema = z.object({
  trackId: z.number().int().positive(),
  firstTimeSec: z.number(),
  lastTimeSec: z.number(),
  frames: z.number().int().nonnegative(),
  scoredFrames: z.number().int().nonnegative(),
  score: z.number().min(0).max(1).nullable(),
  label: verdictLabel,
  strength: verbalStrength.nullable(),
  decisive: z.boolean(),
  timeline: z
    .array(
      z.object({
        timeSec: z.number(),
        probability: z.number().min(0).max(1),
        smoothed: z.number().min(0).max(1),
      }),
    )
    .describe('Per scored frame: the calibrated probability and its 1-second moving median.'),
  worstFrames: z
    .array(reportFrameSchema)
    .describe('The highest-scoring frames of this person, highest first.'),
});

export const reportSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  formatVersion: z.literal(REPORT_FORMAT_VERSION),
  generatedAt: z.string().describe('When this report was written (ISO 8601). Varies between runs.'),
  caseId: z.string().describe('Case library id, or scan-<sha256 prefix> for a report made from a scan file.'),
  verdict: z.object({
    label: verdictLabel,
    headline: z.string().describe('One sentence for a reader.'),
    score: z.number().min(0).max(1).nullable().describe('Calibrated probability behind the verdict.'),
    strength: verbalStrength.nullable(),
    inconclusiveBand: z.tuple([z.number(), z.number()]),
    decidingTrackId: z.number().int().nullable(),
    method: z.string(),
    caveats: z
      .array(z.string())
      .describe(
        'Plain sentences on what the verdict rests on, shown in the verdict box (see the scan format).',
      ),
  }),
  consentWarning: z
    .object({ shown: z.boolean(), text: z.string() })
    .describe('Shown whenever any person is flagged likely manipulated.'),
  damage: z
    .object({
      decodeErrors: z.number().int().nonnegative(),
      missing: z.array(z.object({ fromSec: z.number(), toSec: z.number() })),
    })
    .nullable()
    .describe(
      'The input is damaged: decode errors and the time ranges that could not be analysed. Its sentence is the ' +
        'first of verdict.caveats.',
    ),
  input: z.object({
    fileName: z.string(),
    path: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  container: z.object({
    formatName: z.string().nullable(),
    durationSec: z.number().nullable(),
    videoCodec: z.string().nullable(),
    width: z.number().nullable(),
    height: z.number().nullable(),
    frameRate: z.number().nullable(),
    rotation: z.number().nullable(),
    audio: z.string().nullable(),
    encoder: z.string().nullable().describe('The encoder tag, when the container carries one.'),
    creationTime: z.string().nullable(),
    tags: z.record(z.string(), z.string()).describe('All container tags, verbatim.'),
  }),
  provenance: z.object({
    aiGenerated: z
      .boolean()
      .describe("Whether some tag declares the file AI-generated (as Unmask's swap engine writes)."),
    aiTags: z
      .array(aiTagSchema)
      .describe('Every container or stream tag that speaks about AI generation, and what it says.'),
    contentCredentials: z
      .object({ present: z.boolean(), summary: z.string().optional() })
      .nullable()
      .describe('C2PA content credentials, when looked for.'),
  }),
  people: z.array(reportPersonSchema),
  summary: z.object({
    sampledFrames: z.number().int().nonnegative(),
    framesWithFaces: z.number().int().nonnegative(),
    faces: z.number().int().nonnegative(),
    people: z.number().int().nonnegative(),
    message: z.string(),
    timelineEndSec: z
      .number()
      .nonnegative()
      .describe(
        "End of the timelines' time axis: one sampling interval after the last sampled frame, or the container's " +
          'end if that comes first. A duration the container merely claims never sets it.',
      ),
  }),
  settings: z.object({
    sampling: z.record(z.string(), z.number()),
    minFaceSize: z.number(),
    detectionMaxSide: z.number(),
  }),
  engine: z.object({
    version: z.string(),
    tensorflowBackend: z.string(),
    tfjsVersion: z.string(),
    ffmpeg: z.string(),
    models: z.array(z.object({ name: z.string(), file: z.string(), sha256: z.string() })),
  }),
  methods: z.array(z.string()).describe('How the verdict was reached.'),
  limitations: z.array(z.string()).describe('What the detector can and cannot see.'),
  reproduction: z.object({
    command: z.string().describe('The command that repeats this scan.'),
    note: z.string(),
  }),
  notes: z.string().describe("The analyst's notes on the case."),
  analyst: z
    .object({ name: z.string().nullable(), organisation: z.string().nullable() })
    .describe(
      'Who made the report (settings, or `unmask report --analyst --organisation`); printed on every page.',
    ),
  scan: z.object({
    formatVersion: z.number().int(),
    timing: z.object({ startedAt: z.string(), durationSec: z.number() }).describe('Varies between runs.'),
  }),
});

export type Report = z.infer<typeof reportSchema>;
export type ReportPerson = z.infer<typeof reportPersonSchema>;
export type ReportFrame = z.infer<typeof reportFrameSchema>;

export function parseReport(json: unknown): Report {
  return reportSchema.parse(json);
}
