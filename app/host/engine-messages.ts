/**
 * Messages between the engine host (Electron main or `unmask serve`) and the engine process that runs scans,
 * swap training, renders and batches off the UI/server thread. One process per job: cancelling kills nothing
 * half-written, and a crash (out of memory, a native fault) ends only that job.
 */
import type { BatchTotals } from '../../engine/batch/batch-summary.ts';
import type { BatchEvent } from '../../engine/batch/run-batch.ts';
import type { BatchScanSettings } from '../../engine/batch/scan-job.ts';
import type { ReportFormatName } from '../../engine/report/export-report.ts';
import type { PdfPageDecorations } from '../../engine/report/pdf.ts';
import type { DoctorReport } from '../../engine/runtime/doctor.ts';
import type { AiLabel, ScanHead, ScannedFrame } from '../../engine/scan/scan-result.ts';
import type { ConsentStatement } from '../../engine/swap/consent.ts';
import type { ProgressEvent } from '../../engine/util/progress.ts';
import type { FrameSampling } from '../../engine/video/decode.ts';
import type { LiveTrack, RequestResults, SwapIdentity, TrainingOptions } from '../common/contract.ts';

export interface TrainJob {
  type: 'train';
  projectDir: string;
  /** Videos of A and B for a new project; empty when resuming. */
  inputs: Record<SwapIdentity, string[]>;
  consent: ConsentStatement;
  options: TrainingOptions;
}

export interface RenderJob {
  type: 'render';
  projectDir: string;
  mode: 'swap' | 'reenact';
  input: string;
  identity: SwapIdentity;
  output: string;
  consent: ConsentStatement;
}

export interface BatchJob {
  type: 'batch';
  /** The case library the results are filed in. */
  dataDir: string;
  files: string[];
  queueUrl: string;
  priority: number;
  settings: BatchScanSettings;
}

/**
 * A case's report, written to `<reportsDir>/<case id>/`. Rendering runs here, not in the host: a hostile input
 * can only crash this job. With `shellPrints` (Electron's printToPDF) the engine answers with the HTML to print.
 */
export interface ReportJob {
  type: 'report';
  dataDir: string;
  caseId: string;
  format: ReportFormatName;
  reportsDir: string;
  shellPrints: boolean;
}

/**
 * One person's face in one sampled frame of a case, drawn from the case's input (crop | blend-boundary overlay).
 * Unlike other jobs, several go to one long-lived process (app/host/face-picture-engine.ts), so each carries an
 * `id` that its answer repeats, and a failure is answered by that id rather than by 'error'.
 */
export interface FacePictureJob {
  type: 'face-picture';
  id: number;
  dataDir: string;
  caseId: string;
  trackId: number;
  frameIndex: number;
  /** Side of each half of the picture, in pixels. */
  size: number;
}

export type ToEngine =
  /** `framesDir`: a folder the host made for this scan; the engine writes its frames there (FRAME_LOG_FILE). */
  | { type: 'scan'; path: string; sampling: FrameSampling; framesDir: string }
  | ReportJob
  | FacePictureJob
  | TrainJob
  | RenderJob
  | BatchJob
  | { type: 'doctor' }
  | { type: 'cancel' };

export type FromEngine =
  | { type: 'probed'; displayWidth: number; displayHeight: number; durationSec: number | null }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'frame'; frame: ScannedFrame }
  | { type: 'tracks'; tracks: LiveTrack[] }
  /** The scan without its frames, which are in the job's frames folder. */
  | { type: 'scan-done'; result: ScanHead }
  | { type: 'train-step'; step: number; totalSteps: number; loss: number }
  | { type: 'preview'; path: string; step: number }
  | { type: 'train-done'; stoppedBy: 'steps' | 'time' | 'signal' }
  | { type: 'render-done'; output: string; frames: number; changedFrames: number; label: AiLabel | null }
  | { type: 'batch-event'; event: BatchEvent }
  | { type: 'batch-done'; totals: BatchTotals; stopped: boolean }
  | { type: 'doctor-done'; report: DoctorReport }
  | { type: 'report-done'; path: string; print?: { html: string; decorations: PdfPageDecorations } }
  | { type: 'face-picture-done'; id: number; picture: RequestResults['getFacePicture'] }
  | { type: 'face-picture-failed'; id: number; code: string; message: string }
  | { type: 'error'; code: string; message: string };
