/**
 * Messages between the engine host (Electron main or `unmask serve`) and the engine process that runs scans
 * off the UI/server thread. One process per job: cancelling kills nothing half-written, and a crash (out of
 * memory, a native fault) ends only that job.
 */
import type { DoctorReport } from '../../engine/runtime/doctor.ts';
import type { ScannedFrame, ScanResult } from '../../engine/scan/scan-result.ts';
import type { ProgressEvent } from '../../engine/util/progress.ts';
import type { FrameSampling } from '../../engine/video/decode.ts';

export type ToEngine =
  { type: 'scan'; path: string; sampling: FrameSampling } | { type: 'doctor' } | { type: 'cancel' };

export type FromEngine =
  | { type: 'probed'; displayWidth: number; displayHeight: number; durationSec: number | null }
  | { type: 'progress'; event: ProgressEvent }
  | { type: 'frame'; frame: ScannedFrame }
  | { type: 'scan-done'; result: ScanResult }
  | { type: 'doctor-done'; report: DoctorReport }
  | { type: 'error'; code: string; message: string };
