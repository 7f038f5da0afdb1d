/**
 * Scan jobs: each scan runs in its own engine process (engine-jobs.ts) and streams progress and per-frame
 * results as app events. A finished scan is saved as a case before `scan-finished` is sent; a cancelled,
 * failed or crashed scan, or one whose file disappeared while it ran, saves nothing.
 */
import { basename, resolve } from 'node:path';
import { assertInputKept } from '../../engine/scan/assert-input-kept.ts';
import type { Settings } from '../common/contract.ts';
import type { CaseLibrary } from './case-library.ts';
import { EngineJobs, type EmitEvent, type EngineJobKind } from './engine-jobs.ts';
import type { EngineLauncher } from './engine-launcher.ts';

export const SCAN_JOB: EngineJobKind = {
  name: 'scan',
  answers: ['scan-done'],
  stopGraceMs: 3000,
  answerAfterStop: false,
  crashMessage: (code) =>
    `The analysis engine stopped unexpectedly (exit ${code ?? 'by signal'}). Earlier cases are safe; try again.`,
};

/**
 * An error as the user should read it: naming the file they picked, not where the host keeps it (a browser's
 * upload lives in `<data dir>/imports/<random>/`).
 */
export function namingPickedFile(message: string, path: string): string {
  const name = basename(path);
  return [resolve(path), path].reduce((text, full) => text.split(full).join(name), message);
}

export class ScanJobs {
  private readonly jobs: EngineJobs;

  /**
   * `accepted` is told a path once the engine has probed it as a video: only then may the renderer play it.
   * A path the engine refuses (not media, a still image, a file it cannot read) never becomes playable.
   */
  constructor(
    launch: EngineLauncher,
    private readonly cases: CaseLibrary,
    private readonly emit: EmitEvent,
    private readonly accepted: (path: string) => void = () => undefined,
  ) {
    this.jobs = new EngineJobs(launch);
  }

  start(path: string, settings: Settings): string {
    const sampling = {
      fps: settings.sampleFps,
      ...(settings.maxFrames > 0 && { maxFrames: settings.maxFrames }),
    };
    return this.jobs.start(SCAN_JOB, { type: 'scan', path, sampling }, (jobId) => {
      this.emit('scan-started', { jobId, path, fileName: basename(path) });
      return {
        progress: (message) => {
          if (message.type === 'probed') {
            this.accepted(path);
            const { displayWidth, displayHeight, durationSec } = message;
            this.emit('scan-probed', { jobId, displayWidth, displayHeight, durationSec });
          } else if (message.type === 'progress') {
            const { stage, done, total, detail } = message.event;
            this.emit('scan-progress', { jobId, stage, done, total: total ?? null, detail: detail ?? null });
          } else if (message.type === 'frame') this.emit('scan-frame', { jobId, frame: message.frame });
          else if (message.type === 'tracks') this.emit('scan-tracks', { jobId, tracks: message.tracks });
        },
        done: async (message) => {
          if (message.type !== 'scan-done') return;
          await assertInputKept(message.result);
          const caseId = await this.cases.saveScan(message.result);
          this.emit('scan-finished', { jobId, caseId });
          this.emit('cases-changed', { caseIds: [caseId] });
        },
        failed: (error) =>
          this.emit('scan-failed', {
            jobId,
            error: { ...error, message: namingPickedFile(error.message, path) },
          }),
        cancelled: () => this.emit('scan-cancelled', { jobId }),
      };
    });
  }

  cancel(jobId: string): boolean {
    return this.jobs.stop(jobId, SCAN_JOB);
  }

  stopAll(): void {
    this.jobs.stopAll();
  }
}
