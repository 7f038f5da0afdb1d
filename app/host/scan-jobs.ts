/**
 * Scan jobs: each scan runs in its own engine process and streams progress and per-frame results as app
 * events. A finished scan is saved as a case before `scan-finished` is sent; a cancelled, failed or crashed
 * scan saves nothing. Cancelling asks the engine to stop and kills it if it has not stopped within a grace
 * period.
 */
import { randomBytes } from 'node:crypto';
import { basename } from 'node:path';
import type { AppEvents, JobError, Settings } from '../common/contract.ts';
import type { CaseLibrary } from './case-library.ts';
import type { FromEngine } from './engine-messages.ts';
import type { EngineLauncher, EngineProcess } from './engine-launcher.ts';

export type EmitEvent = <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => void;

/** How long a cancelled engine may take to stop by itself before it is killed. */
const CANCEL_GRACE_MS = 3000;

interface RunningScan {
  engine: EngineProcess;
  cancelled: boolean;
  settled: boolean;
}

export function newJobId(kind: string): string {
  return `${kind}-${randomBytes(6).toString('hex')}`;
}

export class ScanJobs {
  private readonly running = new Map<string, RunningScan>();

  constructor(
    private readonly launch: EngineLauncher,
    private readonly cases: CaseLibrary,
    private readonly emit: EmitEvent,
  ) {}

  start(path: string, settings: Settings): string {
    const jobId = newJobId('scan');
    const engine = this.launch();
    const job: RunningScan = { engine, cancelled: false, settled: false };
    this.running.set(jobId, job);
    const settle = (after: () => void) => {
      if (job.settled) return;
      job.settled = true;
      this.running.delete(jobId);
      after();
    };
    const fail = (error: JobError) => settle(() => this.emit('scan-failed', { jobId, error }));

    engine.onMessage((message: FromEngine) => {
      if (job.settled) return;
      switch (message.type) {
        case 'probed':
          this.emit('scan-probed', {
            jobId,
            displayWidth: message.displayWidth,
            displayHeight: message.displayHeight,
            durationSec: message.durationSec,
          });
          return;
        case 'progress':
          this.emit('scan-progress', {
            jobId,
            stage: message.event.stage,
            done: message.event.done,
            total: message.event.total ?? null,
            detail: message.event.detail ?? null,
          });
          return;
        case 'frame':
          this.emit('scan-frame', { jobId, frame: message.frame });
          return;
        case 'scan-done':
          job.settled = true;
          engine.kill();
          if (job.cancelled) {
            this.running.delete(jobId);
            this.emit('scan-cancelled', { jobId });
            return;
          }
          this.cases
            .saveScan(message.result)
            .then((caseId) => {
              this.running.delete(jobId);
              this.emit('scan-finished', { jobId, caseId });
              this.emit('cases-changed', { caseIds: [caseId] });
            })
            .catch((error: unknown) => {
              this.running.delete(jobId);
              this.emit('scan-failed', {
                jobId,
                error: { code: 'outputNotWritable', message: describe(error), retryable: true },
              });
            });
          return;
        case 'error':
          engine.kill();
          if (job.cancelled || message.code === 'cancelled')
            settle(() => this.emit('scan-cancelled', { jobId }));
          else fail({ code: message.code, message: message.message, retryable: message.code === 'internal' });
          return;
        case 'doctor-done':
          return;
      }
    });
    engine.onExit((code) => {
      if (job.cancelled) settle(() => this.emit('scan-cancelled', { jobId }));
      else
        fail({
          code: 'engineCrashed',
          message: `The analysis engine stopped unexpectedly (exit ${code ?? 'by signal'}). Earlier cases are safe; try again.`,
          retryable: true,
        });
    });
    this.emit('scan-started', { jobId, path, fileName: basename(path) });
    engine.send({
      type: 'scan',
      path,
      sampling: { fps: settings.sampleFps, ...(settings.maxFrames > 0 && { maxFrames: settings.maxFrames }) },
    });
    return jobId;
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId);
    if (!job || job.settled) return false;
    job.cancelled = true;
    job.engine.send({ type: 'cancel' });
    setTimeout(() => job.engine.kill(), CANCEL_GRACE_MS).unref();
    return true;
  }

  /** Stops every running scan (the app is closing). */
  stopAll(): void {
    for (const job of this.running.values()) {
      job.cancelled = true;
      job.engine.kill();
    }
  }
}

/** Runs one short engine job (e.g. the doctor report) and resolves with its answer. */
export function askEngine<T extends FromEngine['type']>(
  launch: EngineLauncher,
  request: { type: 'doctor' },
  answer: T,
): Promise<Extract<FromEngine, { type: T }>> {
  return new Promise((resolve, reject) => {
    const engine = launch();
    let done = false;
    engine.onMessage((message) => {
      if (message.type === answer) {
        done = true;
        resolve(message as Extract<FromEngine, { type: T }>);
        engine.kill();
      } else if (message.type === 'error') {
        done = true;
        reject(new Error(message.message));
        engine.kill();
      }
    });
    engine.onExit((code) => {
      if (!done) reject(new Error(`The engine stopped unexpectedly (exit ${code ?? 'by signal'}).`));
    });
    engine.send(request);
  });
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
