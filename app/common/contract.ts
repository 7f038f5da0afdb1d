/**
 * The one API contract between the UI and the engine host. Electron's IPC handlers (app/main), the preload
 * (app/preload), the HTTP/WebSocket server (app/server) and the browser bridge (app/renderer/web-bridge.ts)
 * are all typed from this file.
 *
 * - Requests: `channel -> (args) => Promise<result>`. Every request takes one plain object; its zod schema is
 *   checked by the host before a handler runs (the renderer is never trusted).
 * - Events: pushed from the host to every window. Long jobs (scan, training, render) report progress through events
 *   and can be cancelled by a request.
 *
 * Imports from engine/ are types only (this file is bundled into the renderer); the verdict vocabulary comes
 * through ./verdict.ts.
 */
import { z } from 'zod';
import type { BatchFileState } from '../../engine/batch/run-batch.ts';
import type { ScannedFace, ScannedFrame, ScanResult } from '../../engine/scan/scan-result.ts';
import { THRESHOLD_PROFILES, type ThresholdProfile } from './verdict.ts';

export type { BatchFileState, ScannedFace, ScannedFrame, ScanResult };

// ---------------------------------------------------------------- shared value schemas

const jobId = z.string().regex(/^[a-z]+-[0-9a-f]{8,}$/, 'not a job id');
const caseId = z.string().min(1).max(200);
const filePath = z.string().min(1).max(4096);

export const settingsSchema = z
  .object({
    /** Sampled frames per second for scans. */
    sampleFps: z.number().min(0.5).max(30),
    /** Stop after this many sampled frames (0 = the whole video). */
    maxFrames: z.number().int().min(0).max(100_000),
    thresholdProfile: z.enum(Object.keys(THRESHOLD_PROFILES) as [ThresholdProfile, ...ThresholdProfile[]]),
    /** Printed on every page of a report; empty, left out (a client that does not know them sends neither). */
    analystName: z.string().trim().max(120).default(''),
    organisation: z.string().trim().max(120).default(''),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  sampleFps: 5,
  maxFrames: 0,
  thresholdProfile: 'standard',
  analystName: '',
  organisation: '',
};

export const reportFormatSchema = z.enum(['json', 'html', 'pdf']);
export type ReportFormat = z.infer<typeof reportFormatSchema>;

export const consentAttestationSchema = z
  .object({
    /** Every person shown in A and B agreed to this use of their likeness. */
    subjectsConsented: z.literal(true),
    /** The output will be labelled synthetic and not used to deceive. */
    willLabelOutput: z.literal(true),
    /** Who attests (kept with the output). */
    attestedBy: z.string().trim().min(2).max(200),
    /** Who consented, and to what, in the user's words (the swap engine refuses under 12 characters). */
    statement: z.string().trim().min(12, 'say who consented, and to what').max(2000),
  })
  .strict();
export type ConsentAttestation = z.infer<typeof consentAttestationSchema>;

const identity = z.enum(['a', 'b']);
export type SwapIdentity = z.infer<typeof identity>;

/** What the Studio lets a user set for one training run (the CLI's `swap train` options, same defaults). */
export const trainingOptionsSchema = z
  .object({
    /** Steps to train in this run (added to what the project has done). */
    steps: z.number().int().min(1).max(1_000_000),
    /** Stop this run after this many minutes (0 = no limit). */
    maxMinutes: z.number().min(0).max(10_000),
    model: z.enum(['template', 'unit']),
    size: z.union([z.literal(64), z.literal(128)]),
    batchSize: z.number().int().min(1).max(64),
    /** Frames sampled per second of video when faces are extracted (new projects). */
    extractFps: z.number().min(0.5).max(30),
    /** Fewest usable training faces per identity (new projects). */
    minFaces: z.number().int().min(1).max(10_000),
    previewEvery: z.number().int().min(1).max(100_000),
    /** Data-parallel worker threads sharing each step (0 = one per CPU core; 1 = in the engine's own thread). */
    workers: z.number().int().min(0).max(64),
  })
  .strict();
export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  steps: 300,
  maxMinutes: 0,
  model: 'template',
  size: 64,
  batchSize: 8,
  extractFps: 8,
  minFaces: 24,
  previewEvery: 25,
  workers: 0,
};

// ---------------------------------------------------------------- requests

const none = z.object({}).strict();

export const requestSchemas = {
  getAppInfo: none,
  getDoctorReport: none,
  getSettings: none,
  saveSettings: settingsSchema,
  /** Native "open video" dialog; the browser bridge shows a file chooser and uploads the file instead. */
  chooseVideo: none,
  startScan: z.object({ path: filePath }).strict(),
  cancelScan: z.object({ jobId }).strict(),
  listCases: none,
  getCase: z.object({ caseId }).strict(),
  deleteCase: z.object({ caseId }).strict(),
  /** A URL the renderer's <video> element can play for a file the host already knows (opened or in a case). */
  getMediaUrl: z.object({ path: filePath }).strict(),
  /** One person's face in one sampled frame of a case: the aligned crop beside its blend-boundary overlay. */
  getFacePicture: z
    .object({ caseId, trackId: z.number().int().positive(), frameIndex: z.number().int().nonnegative() })
    .strict(),
  exportReport: z
    .object({ caseId, format: reportFormatSchema, consentNoticeDismissed: z.boolean().optional() })
    .strict(),
  /** Opens a folder the app wrote (a case's reports, a finished render's folder); never a path the client names. */
  revealOutput: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('report'), caseId }).strict(),
    z.object({ kind: z.literal('render'), jobId }).strict(),
  ]),
  listSwapProjects: none,
  /** Trains a new project (from identity A and B videos) or resumes one (`projectDir`). */
  startTraining: z
    .object({
      identityA: filePath.optional(),
      identityB: filePath.optional(),
      projectDir: filePath.optional(),
      consent: consentAttestationSchema,
      options: trainingOptionsSchema,
    })
    .strict()
    .refine((r) => r.projectDir !== undefined || (r.identityA !== undefined && r.identityB !== undefined), {
      message: 'needs identity A and B videos, or a project to resume',
      path: ['identityA'],
    }),
  /** Stops after the current step and saves a checkpoint (nothing is lost; training can be resumed). */
  stopTraining: z.object({ jobId }).strict(),
  /** Native save dialog (Electron); a browser gets a fresh path in the app's renders folder. */
  chooseOutputPath: z.object({ suggestedName: z.string().min(1).max(255) }).strict(),
  /** Renders a swap (the input shows one identity, `identity` is painted in) or a reenactment (the input
   *  drives identity `identity`). Without `output` the file goes to the app's renders folder. */
  startRender: z
    .object({
      projectDir: filePath,
      mode: z.enum(['swap', 'reenact']),
      input: filePath,
      identity,
      output: filePath.optional(),
      consent: consentAttestationSchema,
    })
    .strict(),
  cancelRender: z.object({ jobId }).strict(),
  /** Native folder dialog (Electron); a browser answers null and the user types the path. */
  chooseFolder: none,
  /** Queues a scan of every video under `folder` for `unmask worker`s on the Redis queue, and gathers them. */
  startBatch: z
    .object({
      folder: filePath,
      queueUrl: z.string().trim().min(1).max(2000),
      priority: z.number().int().min(1).max(2_097_151),
    })
    .strict(),
  /** Stops gathering (queued jobs stay in Redis; submitting the folder again picks them up). */
  cancelBatch: z.object({ jobId }).strict(),
} as const;

export const DEFAULT_QUEUE_URL = 'redis://127.0.0.1:6379';
/** BullMQ priority of a batch (1 runs first), as `unmask batch` uses. */
export const DEFAULT_BATCH_PRIORITY = 1000;

export type RequestChannel = keyof typeof requestSchemas;
export type RequestArgs<C extends RequestChannel> = z.input<(typeof requestSchemas)[C]>;

/** An ffmpeg or ffprobe the engine found, and a warning when it is old. */
export interface EngineTool {
  path: string;
  source: string;
  version: string;
  warning: string | null;
}

export interface AppInfo {
  name: string;
  version: string;
  /** Where the UI runs: inside Electron, or in a browser against `unmask serve`. */
  shell: 'electron' | 'browser';
  platform: string;
  dataDir: string;
  /** In a browser, the largest file that can be uploaded for a scan. */
  maxUploadBytes?: number;
}

export interface CaseSummary {
  caseId: string;
  fileName: string;
  path: string;
  sha256: string;
  createdAt: string;
  verdictLabel: ScanResult['verdict']['label'];
  verdictScore: number | null;
  sampledFrames: number;
  tracks: number;
}

export interface CaseDetail {
  summary: CaseSummary;
  scan: ScanResult;
  notes: string;
}

/** What the engine runs on (from `unmask doctor`), as the Settings screen shows it. */
export interface EngineInfo {
  node: string;
  platform: string;
  tensorflow: { backend: string; tfjsVersion: string } | { error: string };
  ffmpeg: EngineTool | { error: string };
  ffprobe: EngineTool | { error: string };
  electron: { present: boolean; detail: string };
}

export interface SwapProjectSummary {
  dir: string;
  name: string;
  createdAt: string;
  model: 'template' | 'unit';
  size: 64 | 128;
  consent: string;
  identities: Record<SwapIdentity, { inputs: string[]; faces: number }>;
  /** Steps in the last complete checkpoint (0: never trained). */
  steps: number;
  /** Mean loss per checkpoint interval, from the checkpoint's log. */
  log: Array<{ step: number; loss: number }>;
  /** The latest preview grid, playable by the renderer; null before the first preview. */
  previewUrl: string | null;
}

/** A rendered file's own declaration that it is synthetic (read back from its container tags). */
export interface SyntheticLabel {
  aiGenerated: boolean;
  tag: string;
  value: string;
  generator: string | null;
  consent: string | null;
}

export interface RequestResults {
  getAppInfo: AppInfo;
  getDoctorReport: EngineInfo;
  getSettings: Settings;
  saveSettings: Settings;
  chooseVideo: { path: string } | null;
  startScan: { jobId: string };
  cancelScan: { cancelled: boolean };
  listCases: CaseSummary[];
  getCase: CaseDetail;
  deleteCase: { deleted: boolean };
  getMediaUrl: { url: string };
  /** A PNG data URL (crop | overlay and colour bar, as in reports), and what the map's range is. */
  getFacePicture: { url: string; caption: string };
  /** Where the report was written; in a browser also a one-session URL that downloads it as an attachment. */
  exportReport: { path: string; fileName: string; downloadUrl: string | null };
  revealOutput: { revealed: boolean };
  listSwapProjects: SwapProjectSummary[];
  startTraining: { jobId: string; projectDir: string };
  stopTraining: { stopping: boolean };
  chooseOutputPath: { path: string } | null;
  startRender: { jobId: string; output: string };
  cancelRender: { cancelled: boolean };
  chooseFolder: { path: string } | null;
  startBatch: { jobId: string; files: number };
  cancelBatch: { stopping: boolean };
}

/** One file of a batch as the Batch screen shows it. */
export interface BatchFileRow {
  file: string;
  state: BatchFileState;
  /** Scan progress 0..1 while a worker scans it. */
  fraction: number | null;
  verdict: string | null;
  score: number | null;
  caseId: string | null;
  error: string | null;
}

// ---------------------------------------------------------------- events

/** A person's track while a scan runs: the saved track without its smoothed series. */
export type LiveTrack = Omit<ScanResult['tracks'][number], 'smoothed'>;

export interface JobError {
  /** UnmaskError code (e.g. 'inputNotMedia'), 'engineCrashed' or 'internal'. */
  code: string;
  message: string;
  /** True when trying again may help (the engine crashed), false for bad input. */
  retryable: boolean;
}

export interface AppEvents {
  'scan-started': { jobId: string; path: string; fileName: string };
  'scan-probed': { jobId: string; displayWidth: number; displayHeight: number; durationSec: number | null };
  'scan-progress': {
    jobId: string;
    stage: string;
    done: number;
    total: number | null;
    detail: string | null;
  };
  'scan-frame': { jobId: string; frame: ScannedFrame };
  /** Every person's track score so far, at most once a second while a scan runs. */
  'scan-tracks': { jobId: string; tracks: LiveTrack[] };
  'scan-finished': { jobId: string; caseId: string };
  'scan-failed': { jobId: string; error: JobError };
  'scan-cancelled': { jobId: string };
  /** Face extraction (stage 'extract') and training (stage 'train') progress. */
  'train-progress': {
    jobId: string;
    stage: string;
    done: number;
    total: number | null;
    detail: string | null;
  };
  'train-step': { jobId: string; step: number; totalSteps: number; loss: number };
  'train-preview': { jobId: string; step: number; url: string };
  /** Ended by its step count, its time limit or Stop (`stoppedBy: 'signal'`); a checkpoint is saved. */
  'train-finished': {
    jobId: string;
    project: SwapProjectSummary;
    stoppedBy: 'steps' | 'time' | 'signal';
  };
  'train-failed': { jobId: string; error: JobError };
  'render-progress': { jobId: string; done: number; total: number | null };
  'render-finished': {
    jobId: string;
    output: string;
    url: string;
    frames: number;
    changedFrames: number;
    label: SyntheticLabel | null;
  };
  'render-failed': { jobId: string; error: JobError };
  'render-cancelled': { jobId: string };
  'batch-file': { jobId: string; row: BatchFileRow };
  'batch-progress': {
    jobId: string;
    /** 'connecting': the queue's Redis is checked before any file is hashed. */
    stage: 'connecting' | 'hashing' | 'scanning';
    done: number;
    total: number;
    active: number;
    failed: number;
    /** Workers connected to the queue (null before the first check). */
    workers: number | null;
    /** A passing condition worth showing (e.g. the queue stopped answering), or null. */
    notice: string | null;
  };
  /** Every file settled, or gathering was stopped (`stopped`: the rest stay queued). */
  'batch-finished': {
    jobId: string;
    completed: number;
    failed: number;
    pending: number;
    stopped: boolean;
  };
  'batch-failed': { jobId: string; error: JobError };
  'cases-changed': { caseIds: string[] };
  /** A native menu item was chosen (Electron); the renderer carries it out. */
  'menu-command': { command: MenuCommand };
}

export type MenuCommand =
  | 'open-video'
  | 'show-home'
  | 'show-analysis'
  | 'show-batch'
  | 'show-studio'
  | 'show-reports'
  | 'show-settings';

export type AppEventName = keyof AppEvents;

export const APP_EVENT_NAMES = [
  'scan-started',
  'scan-probed',
  'scan-progress',
  'scan-frame',
  'scan-tracks',
  'scan-finished',
  'scan-failed',
  'scan-cancelled',
  'train-progress',
  'train-step',
  'train-preview',
  'train-finished',
  'train-failed',
  'render-progress',
  'render-finished',
  'render-failed',
  'render-cancelled',
  'batch-file',
  'batch-progress',
  'batch-finished',
  'batch-failed',
  'cases-changed',
  'menu-command',
] as const satisfies readonly AppEventName[];

export const REQUEST_CHANNELS = Object.keys(requestSchemas) as RequestChannel[];

// ---------------------------------------------------------------- the API as each side sees it

/** What the host implements: one async handler per channel, given validated args. */
export type RequestHandlers = {
  [C in RequestChannel]: (args: z.output<(typeof requestSchemas)[C]>) => Promise<RequestResults[C]>;
};

/** A file the user picked or dropped (a DOM File, described structurally: this file has no DOM types). */
export interface PickedFile {
  readonly name: string;
  readonly size: number;
}

/** `window.unmask`: what the renderer sees, in Electron (preload) and in a browser (web bridge) alike. */
export type UnmaskApi = {
  [C in RequestChannel]: (args: RequestArgs<C>) => Promise<RequestResults[C]>;
} & {
  /** Subscribes to a host event; returns the unsubscribe function. */
  on<E extends AppEventName>(event: E, listener: (payload: AppEvents[E]) => void): () => void;
  /** A dropped or picked file as a path the host can read (Electron: its real path; browser: an upload). */
  importFile(file: PickedFile): Promise<string>;
  readonly shell: AppInfo['shell'];
};

/** Validates a request's args; throws a one-line error the caller can show. */
export function parseRequestArgs<C extends RequestChannel>(
  channel: C,
  args: unknown,
): z.output<(typeof requestSchemas)[C]> {
  const schema = requestSchemas[channel];
  if (!schema) throw new Error(`Unknown request channel ${String(channel)}.`);
  const parsed = schema.safeParse(args ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `Invalid ${channel} request: ${issue?.path.join('.') || 'args'} ${issue?.message ?? ''}`.trim(),
    );
  }
  return parsed.data as z.output<(typeof requestSchemas)[C]>;
}

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && Object.hasOwn(requestSchemas, value);
}

/** Errors cross the boundary as `{ code, message }`; this prefix marks the code inside an Error message. */
export interface WireError {
  code: string;
  message: string;
}

/** How a request's outcome crosses IPC or HTTP: a value, or an error the renderer can show as it is. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: WireError };
