/**
 * Messages between the engine host (Electron main or `unmask serve`) and the engine process that runs scans,
 * swap training, renders and batches off the UI/server thread. One process per job: cancelling kills nothing
 * half-written, and a crash (out of memory, a native fault) ends only that job.
 */
import type { BatchTotals } from '../../engine/batch/batch-summary.ts';
import type { BatchEvent } from '../../engine/batch/run-batch.ts';
import type { BatchScanSettings } from '../../engine/batch/scan-job.ts';
import type { DoctorReport } from '../../engine/runtime/doctor.ts';
import type { AiLabel, ScannedFrame, ScanResult } from '../../engine/scan/scan-result.ts';
import type { ConsentStatement } from '../../engine/swap/consent.ts';
import type { ProgressEvent } from '../../engine/util/progress.ts';
import type { FrameSampling } from '../../engine/video/decode.ts';
import type { LiveTrack, SwapIdentity, TrainingOptions } from '../common/contract.ts';

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

export type ToEngine =
  | { type: 'scan'; path: string; sampling: FrameSampling }
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
  | { type: 'scan-done'; result: ScanResult }
  | { type: 'train-step'; step: number; totalSteps: number; loss: number }
  | { type: 'preview'; path: string; step: number }
  | { type: 'train-done'; stoppedBy: 'steps' | 'time' | 'signal' }
  | { type: 'render-done'; output: string; frames: number; changedFrames: number; label: AiLabel | null }
  | { type: 'batch-event'; event: BatchEvent }
  | { type: 'batch-done'; totals: BatchTotals; stopped: boolean }
  | { type: 'doctor-done'; report: DoctorReport }
  | { type: 'error'; code: string; message: string };
