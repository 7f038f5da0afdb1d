/**
 * The one API contract between the UI and the engine host. Electron's IPC handlers (app/main), the preload
 * (app/preload), the HTTP/WebSocket server (app/server) and the browser bridge (app/renderer/web-bridge.ts)
 * are all typed from this file.
 *
 * - Requests: `channel -> (args) => Promise<result>`. Every request takes one plain object; its zod schema is
 *   checked by the host before a handler runs (the renderer is never trusted).
 * - Events: pushed from the host to every window. Long jobs (scan, training) report progress through events
 *   and can be cancelled by a request.
 *
 * Imports from engine/ are types only (this file is bundled into the renderer).
 */
import { z } from 'zod';
import type { ScannedFace, ScannedFrame, ScanResult } from '../../engine/scan/scan-result.ts';

export type { ScannedFace, ScannedFrame, ScanResult };

// ---------------------------------------------------------------- shared value schemas

const jobId = z.string().regex(/^[a-z]+-[0-9a-f]{8,}$/, 'not a job id');
const caseId = z.string().min(1).max(200);
const filePath = z.string().min(1).max(4096);

export const THRESHOLD_PROFILES = {
  /** The shipped verdict bands (docs/detector.md). */
  standard: { label: 'Standard', flagAt: 0.65, inconclusiveBand: [0.35, 0.65] },
  /** Warn earlier: for triage, where a missed fake costs more than a second look. */
  sensitive: { label: 'Sensitive (triage)', flagAt: 0.5, inconclusiveBand: [0.3, 0.5] },
  /** Warn later: for material where false alarms are costly. */
  conservative: { label: 'Conservative', flagAt: 0.8, inconclusiveBand: [0.45, 0.8] },
} as const satisfies Record<
  string,
  { label: string; flagAt: number; inconclusiveBand: readonly [number, number] }
>;

export type ThresholdProfile = keyof typeof THRESHOLD_PROFILES;

export const settingsSchema = z
  .object({
    /** Sampled frames per second for scans. */
    sampleFps: z.number().min(0.5).max(30),
    /** Stop after this many sampled frames (0 = the whole video). */
    maxFrames: z.number().int().min(0).max(100_000),
    thresholdProfile: z.enum(['standard', 'sensitive', 'conservative']),
  })
  .strict();
export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_SETTINGS: Settings = { sampleFps: 5, maxFrames: 0, thresholdProfile: 'standard' };

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
  exportReport: z
    .object({ caseId, format: reportFormatSchema, consentNoticeDismissed: z.boolean().optional() })
    .strict(),
  revealPath: z.object({ path: filePath }).strict(),
  getStudioStatus: none,
  startTraining: z
    .object({ identityA: filePath, identityB: filePath, consent: consentAttestationSchema })
    .strict(),
  cancelTraining: z.object({ jobId }).strict(),
} as const;

export type RequestChannel = keyof typeof requestSchemas;
export type RequestArgs<C extends RequestChannel> = z.input<(typeof requestSchemas)[C]>;

export interface AppInfo {
  name: string;
  version: string;
  /** Where the UI runs: inside Electron, or in a browser against `unmask serve`. */
  shell: 'electron' | 'browser';
  platform: string;
  dataDir: string;
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
  ffmpeg: { path: string; source: string; version: string } | { error: string };
  ffprobe: { path: string; source: string; version: string } | { error: string };
  electron: { present: boolean; detail: string };
}

export interface StudioStatus {
  /** True when the face-swap engine is installed and can train. */
  available: boolean;
  /** Why not, in one sentence (shown to the user). */
  reason: string | null;
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
  exportReport: { path: string };
  revealPath: { revealed: boolean };
  getStudioStatus: StudioStatus;
  startTraining: { jobId: string };
  cancelTraining: { cancelled: boolean };
}

// ---------------------------------------------------------------- events

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
  'scan-finished': { jobId: string; caseId: string };
  'scan-failed': { jobId: string; error: JobError };
  'scan-cancelled': { jobId: string };
  'train-progress': { jobId: string; step: number; totalSteps: number; loss: number };
  'train-finished': { jobId: string; outputPath: string };
  'train-failed': { jobId: string; error: JobError };
  'cases-changed': { caseIds: string[] };
  /** A native menu item was chosen (Electron); the renderer carries it out. */
  'menu-command': { command: MenuCommand };
}

export type MenuCommand =
  'open-video' | 'show-home' | 'show-analysis' | 'show-studio' | 'show-reports' | 'show-settings';

export type AppEventName = keyof AppEvents;

export const APP_EVENT_NAMES = [
  'scan-started',
  'scan-probed',
  'scan-progress',
  'scan-frame',
  'scan-finished',
  'scan-failed',
  'scan-cancelled',
  'train-progress',
  'train-finished',
  'train-failed',
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
