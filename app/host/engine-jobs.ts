/**
 * Long jobs (scans, swap training, renders), each in its own engine process. This file owns what every kind
 * of job shares: the job id, settling exactly once (answer, error, cancellation or a crash of the process),
 * asking the engine to stop and killing it if it does not within a grace period. The kinds (scan-jobs.ts,
 * swap-jobs.ts) only say what their messages mean.
 */
import { randomBytes } from 'node:crypto';
import { EXIT_CODES, isUnmaskError, UnmaskError, type UnmaskErrorCode } from '../../engine/util/errors.ts';
import type { AppEvents, JobError } from '../common/contract.ts';
import type { FromEngine, ToEngine } from './engine-messages.ts';
import type { EngineLauncher, EngineProcess } from './engine-launcher.ts';

export type EmitEvent = <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => void;

export function newJobId(kind: string): string {
  return `${kind}-${randomBytes(6).toString('hex')}`;
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What one kind of job does with its engine's messages. Exactly one of done/failed/cancelled is called. */
export interface EngineJobHooks {
  /** Progress and partial results (everything but the final answer and errors). */
  progress(message: FromEngine): void;
  /** The final answer; the job counts as failed if this throws or rejects. */
  done(message: FromEngine): Promise<void> | void;
  failed(error: JobError): void;
  cancelled(): void;
}

export interface EngineJobKind {
  /** Prefix of the job ids, e.g. 'scan'. */
  name: string;
  /** The message types that carry the final answer. */
  answers: ReadonlyArray<FromEngine['type']>;
  /** How long a stopped engine may take to finish by itself before it is killed. */
  stopGraceMs: number;
  /** True when the answer to a stopped job is still a result (training saves and reports its checkpoint). */
  answerAfterStop: boolean;
  /** What the user is told when the engine process dies. */
  crashMessage(exitCode: number | null): string;
}

interface RunningJob {
  engine: EngineProcess;
  stopping: boolean;
  settled: boolean;
  stopTimer?: NodeJS.Timeout;
}

export class EngineJobs {
  private readonly running = new Map<string, RunningJob>();

  constructor(private readonly launch: EngineLauncher) {}

  /** Starts the job; `hooksFor` gets the new job id before any message can arrive. */
  start(kind: EngineJobKind, request: ToEngine, hooksFor: (jobId: string) => EngineJobHooks): string {
    const jobId = newJobId(kind.name);
    const hooks = hooksFor(jobId);
    const engine = this.launch();
    const job: RunningJob = { engine, stopping: false, settled: false };
    this.running.set(jobId, job);
    const settle = (after: () => void | Promise<void>) => {
      if (job.settled) return;
      job.settled = true;
      clearTimeout(job.stopTimer);
      engine.kill();
      Promise.resolve()
        .then(after)
        .catch((error: unknown) =>
          hooks.failed({
            code: isUnmaskError(error) ? error.code : 'outputNotWritable',
            message: describe(error),
            // Saving can be tried again; a problem with the input cannot.
            retryable: !(isUnmaskError(error) && error.code.startsWith('input')),
          }),
        )
        .finally(() => this.running.delete(jobId));
    };

    engine.onMessage((message) => {
      if (job.settled) return;
      if (kind.answers.includes(message.type)) {
        settle(() => (job.stopping && !kind.answerAfterStop ? hooks.cancelled() : hooks.done(message)));
      } else if (message.type === 'error') {
        if (job.stopping || message.code === 'cancelled') settle(() => hooks.cancelled());
        else
          settle(() =>
            hooks.failed({
              code: message.code,
              message: message.message,
              retryable: message.code === 'internal',
            }),
          );
      } else hooks.progress(message);
    });
    engine.onExit((code) => {
      if (job.stopping) settle(() => hooks.cancelled());
      else
        settle(() =>
          hooks.failed({ code: 'engineCrashed', message: kind.crashMessage(code), retryable: true }),
        );
    });
    engine.send(request);
    return jobId;
  }

  /** Asks the job to stop; kills its engine if it has not finished within the kind's grace period. */
  stop(jobId: string, kind: EngineJobKind): boolean {
    const job = this.running.get(jobId);
    if (!job || job.settled || !jobId.startsWith(`${kind.name}-`)) return false;
    job.stopping = true;
    job.engine.send({ type: 'cancel' });
    job.stopTimer = setTimeout(() => job.engine.kill(), kind.stopGraceMs);
    job.stopTimer.unref();
    return true;
  }

  /** Kills every running job (the app is closing). */
  stopAll(): void {
    for (const job of this.running.values()) {
      job.stopping = true;
      job.engine.kill();
    }
  }
}

/** An engine's error message as the error it was: an UnmaskError keeps its code across the process boundary. */
export function engineError(code: string, message: string): Error {
  return code in EXIT_CODES && code !== 'ok'
    ? new UnmaskError(code as UnmaskErrorCode, message)
    : new Error(message);
}

/**
 * Runs one short engine job (the doctor report, a report export) in its own engine process and resolves with
 * its answer. If the process dies, only this request fails.
 */
export function askEngine<T extends FromEngine['type']>(
  launch: EngineLauncher,
  request: ToEngine,
  answer: T,
): Promise<Extract<FromEngine, { type: T }>> {
  return new Promise((resolve, reject) => {
    const engine = launch();
    let done = false;
    engine.onMessage((message) => {
      if (done) return;
      if (message.type === answer) {
        done = true;
        resolve(message as Extract<FromEngine, { type: T }>);
        engine.kill();
      } else if (message.type === 'error') {
        done = true;
        reject(engineError(message.code, message.message));
        engine.kill();
      }
    });
    engine.onExit((code) => {
      if (done) return;
      done = true;
      reject(new UnmaskError('internal', `The engine stopped unexpectedly (exit ${code ?? 'by signal'}).`));
    });
    engine.send(request);
  });
}
