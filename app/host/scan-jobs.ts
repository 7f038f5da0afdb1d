/**
 * Scan jobs: each scan runs in its own engine process (engine-jobs.ts) and streams progress and per-frame
 * results as app events. The engine writes each frame's result to a file in a folder made for the job (so neither
 * process holds a long scan's frames in memory), and the host files the case from it. A finished scan is saved
 * as a case before `scan-finished` is sent; a cancelled, failed or crashed scan, or one whose file disappeared
 * while it ran, saves nothing, and the folder is removed however the job settles.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { assertInputKept } from '../../engine/scan/assert-input-kept.ts';
import { FRAME_LOG_FILE, FrameLog } from '../../engine/scan/frame-log.ts';
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
    // The engine writes each frame's result here as the scan runs; the folder goes when the job settles, however
    // it settles (the engine may be killed mid-write), so nothing of a scan that was not filed stays behind.
    const framesDir = mkdtempSync(join(tmpdir(), 'unmask-scan-frames-'));
    const removeFrames = () => rmSync(framesDir, { recursive: true, force: true });
    try {
      return this.jobs.start(SCAN_JOB, { type: 'scan', path, sampling, framesDir }, (jobId) => {
        this.emit('scan-started', { jobId, path, fileName: basename(path) });
        return {
          progress: (message) => {
            if (message.type === 'probed') {
              this.accepted(path);
              const { displayWidth, displayHeight, durationSec } = message;
              this.emit('scan-probed', { jobId, displayWidth, displayHeight, durationSec });
            } else if (message.type === 'progress') {
              const { stage, done, total, detail } = message.event;
              this.emit('scan-progress', {
                jobId,
                stage,
                done,
                total: total ?? null,
                detail: detail ?? null,
              });
            } else if (message.type === 'frame') this.emit('scan-frame', { jobId, frame: message.frame });
            else if (message.type === 'tracks') this.emit('scan-tracks', { jobId, tracks: message.tracks });
          },
          done: async (message) => {
            if (message.type !== 'scan-done') return;
            let caseId: string;
            try {
              await assertInputKept(message.result);
              const frames = FrameLog.open(join(framesDir, FRAME_LOG_FILE));
              try {
                caseId = await this.cases.saveScan({ ...message.result, frames });
              } finally {
                frames.close();
              }
            } finally {
              removeFrames();
            }
            this.emit('scan-finished', { jobId, caseId });
            this.emit('cases-changed', { caseIds: [caseId] });
          },
          failed: (error) => {
            removeFrames();
            this.emit('scan-failed', {
              jobId,
              error: { ...error, message: namingPickedFile(error.message, path) },
            });
          },
          cancelled: () => {
            removeFrames();
            this.emit('scan-cancelled', { jobId });
          },
        };
      });
    } catch (error) {
      removeFrames();
      throw error;
    }
  }

  cancel(jobId: string): boolean {
    return this.jobs.stop(jobId, SCAN_JOB);
  }

  stopAll(): void {
    this.jobs.stopAll();
  }
}
