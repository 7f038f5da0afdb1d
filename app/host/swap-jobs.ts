/**
 * The Studio's jobs: training a swap project and rendering a swap or a reenactment, each in its own engine
 * process (engine-jobs.ts), off the UI and server threads. Stopping a training run is not a cancellation: the
 * engine finishes its step, saves a checkpoint and answers as usual, so nothing is lost and the next run
 * resumes. New projects and default renders live under `<data dir>/studio/`.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { basename, extname, join, resolve, sep } from 'node:path';
import type { ConsentStatement } from '../../engine/swap/consent.ts';
import { isSwapProject, readCheckpointState, readSwapProject } from '../../engine/swap/swap-project.ts';
import { UnmaskError } from '../../engine/util/errors.ts';
import type { ConsentAttestation, RequestHandlers, SwapProjectSummary } from '../common/contract.ts';
import { EngineJobs, type EmitEvent, type EngineJobKind } from './engine-jobs.ts';
import type { EngineLauncher } from './engine-launcher.ts';

export const TRAIN_JOB: EngineJobKind = {
  name: 'train',
  answers: ['train-done'],
  // A step of the full-size model takes seconds on a busy CPU, and the checkpoint after it must finish.
  stopGraceMs: 120_000,
  answerAfterStop: true,
  crashMessage: (code) =>
    `The training engine stopped unexpectedly (exit ${code ?? 'by signal'}). The last checkpoint is intact; resume to continue.`,
};

export const RENDER_JOB: EngineJobKind = {
  name: 'render',
  answers: ['render-done'],
  stopGraceMs: 3000,
  answerAfterStop: false,
  crashMessage: (code) =>
    `The rendering engine stopped unexpectedly (exit ${code ?? 'by signal'}); no output was written. Try again.`,
};

/** The engine's consent statement from the app's attestation: the user's words, and who attested them. */
export function consentStatement(attestation: ConsentAttestation): ConsentStatement {
  return {
    statement: `${attestation.statement} (attested by ${attestation.attestedBy})`,
    attestedAt: new Date().toISOString(),
  };
}

/** A file-name-safe stem of a path, e.g. "/v/Grace Hopper.mp4" → "Grace_Hopper". */
function stem(path: string): string {
  return (
    basename(path, extname(path))
      .replace(/[^\p{L}\p{N}._-]+/gu, '_')
      .slice(0, 120) || 'video'
  );
}

function timestamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

type ArgsOf<C extends keyof RequestHandlers> = Parameters<RequestHandlers[C]>[0];

export interface SwapJobsOptions {
  dataDir: string;
  launch: EngineLauncher;
  emit: EmitEvent;
  /** A URL the renderer can load for a file (previews, renders). */
  mediaUrl(path: string): string;
  /** Lets the renderer load a file outside the studio folder (a render saved elsewhere). */
  allowMedia(path: string): void;
}

export class SwapJobs {
  private readonly jobs: EngineJobs;
  private training: string | null = null;
  /** Output paths the user chose in a save dialog: the only places outside the studio folder renders go. */
  private readonly chosenOutputs = new Set<string>();
  /** Output file of each render that finished in this session, by job id. */
  private readonly finishedRenders = new Map<string, string>();
  readonly studioDir: string;

  constructor(private readonly options: SwapJobsOptions) {
    this.jobs = new EngineJobs(options.launch);
    this.studioDir = join(options.dataDir, 'studio');
  }

  /** True for files the studio wrote (projects, previews, default renders). */
  owns(path: string): boolean {
    return resolve(path).startsWith(this.studioDir + sep);
  }

  /** The file a render job wrote, once it has finished. */
  renderOutput(jobId: string): string | undefined {
    return this.finishedRenders.get(jobId);
  }

  private get projectsDir(): string {
    return join(this.studioDir, 'projects');
  }

  async summary(dir: string): Promise<SwapProjectSummary> {
    const project = await readSwapProject(dir);
    const state = await readCheckpointState(dir);
    const latest = join(dir, 'previews', 'latest.png');
    return {
      dir,
      name: basename(dir),
      createdAt: project.createdAt,
      model: project.architecture.kind,
      size: project.architecture.size,
      consent: project.consent.statement,
      identities: {
        a: { inputs: project.identities.a.inputs, faces: project.identities.a.faces },
        b: { inputs: project.identities.b.inputs, faces: project.identities.b.faces },
      },
      steps: state?.step ?? 0,
      log: (state?.log ?? []).map((e) => ({ step: e.step, loss: e.loss })),
      previewUrl: existsSync(latest) ? this.options.mediaUrl(latest) : null,
    };
  }

  /** Projects in the studio folder, newest first (unreadable ones are left out). */
  async listProjects(): Promise<SwapProjectSummary[]> {
    const names = await readdir(this.projectsDir).catch(() => [] as string[]);
    const dirs = names.map((n) => join(this.projectsDir, n)).filter((d) => isSwapProject(d));
    const summaries = await Promise.all(dirs.map((d) => this.summary(d).catch(() => null)));
    return summaries
      .filter((s): s is SwapProjectSummary => s !== null)
      .sort((p, q) => q.createdAt.localeCompare(p.createdAt));
  }

  async startTraining(request: ArgsOf<'startTraining'>): Promise<{ jobId: string; projectDir: string }> {
    if (this.training) throw new UnmaskError('appJobBusy', 'A model is already training; stop it first.');
    let projectDir: string;
    let inputs: Record<'a' | 'b', string[]>;
    if (request.projectDir) {
      if (!isSwapProject(request.projectDir))
        throw new UnmaskError('swapProjectMismatch', `${request.projectDir} is not a swap project.`);
      projectDir = request.projectDir;
      inputs = { a: [], b: [] };
    } else {
      const a = request.identityA!;
      const b = request.identityB!;
      for (const path of [a, b]) {
        if (!(await stat(path).catch(() => null))?.isFile())
          throw new UnmaskError('inputNotFound', `Video not found: ${path}`);
      }
      await mkdir(this.projectsDir, { recursive: true });
      projectDir = join(this.projectsDir, `${stem(a)}-and-${stem(b)}-${timestamp()}`);
      inputs = { a: [a], b: [b] };
    }
    const { emit } = this.options;
    const { options } = request;
    const jobId = this.jobs.start(
      TRAIN_JOB,
      { type: 'train', projectDir, inputs, consent: consentStatement(request.consent), options },
      (jobId) => ({
        progress: (message) => {
          if (message.type === 'progress') {
            const { stage, done, total, detail } = message.event;
            emit('train-progress', { jobId, stage, done, total: total ?? null, detail: detail ?? null });
          } else if (message.type === 'train-step') {
            const { step, totalSteps, loss } = message;
            emit('train-step', { jobId, step, totalSteps, loss });
          } else if (message.type === 'preview') {
            emit('train-preview', { jobId, step: message.step, url: this.options.mediaUrl(message.path) });
          }
        },
        done: async (message) => {
          this.training = null;
          if (message.type !== 'train-done') return;
          emit('train-finished', {
            jobId,
            project: await this.summary(projectDir),
            stoppedBy: message.stoppedBy,
          });
        },
        failed: (error) => {
          this.training = null;
          emit('train-failed', { jobId, error });
        },
        cancelled: () => {
          this.training = null;
          emit('train-failed', {
            jobId,
            error: {
              code: 'cancelled',
              message: 'Stopped before training began; no checkpoint was written.',
              retryable: true,
            },
          });
        },
      }),
    );
    this.training = jobId;
    return { jobId, projectDir };
  }

  stopTraining(jobId: string): boolean {
    return this.jobs.stop(jobId, TRAIN_JOB);
  }

  /** Where a render goes when the user did not choose: `<data dir>/studio/renders/<name>`, never overwritten. */
  async defaultOutputPath(suggestedName: string): Promise<string> {
    const dir = join(this.studioDir, 'renders');
    await mkdir(dir, { recursive: true });
    const ext = extname(suggestedName) || '.mp4';
    const name = stem(suggestedName);
    let path = join(dir, `${name}${ext}`);
    for (let n = 2; existsSync(path); n++) path = join(dir, `${name}-${n}${ext}`);
    return path;
  }

  /** The save dialog's answer (Electron), or a fresh default path (a browser has no dialog). */
  async chooseOutputPath(
    suggestedName: string,
    dialog?: (defaultPath: string) => Promise<string | null>,
  ): Promise<{ path: string } | null> {
    const fallback = await this.defaultOutputPath(suggestedName);
    const path = dialog ? await dialog(fallback) : fallback;
    if (path) this.chosenOutputs.add(resolve(path));
    return path ? { path } : null;
  }

  async startRender(request: ArgsOf<'startRender'>): Promise<{ jobId: string; output: string }> {
    if (!isSwapProject(request.projectDir))
      throw new UnmaskError('swapProjectMismatch', `${request.projectDir} is not a swap project.`);
    if (!(await stat(request.input).catch(() => null))?.isFile())
      throw new UnmaskError('inputNotFound', `Video not found: ${request.input}`);
    const suggested = `${basename(request.projectDir)}-${request.mode}-to-${request.identity}.mp4`;
    const output = request.output ?? (await this.defaultOutputPath(suggested));
    if (!this.owns(output) && !this.chosenOutputs.has(resolve(output)))
      throw new UnmaskError('usage', 'Choose where to save the render with “Save as…”.');
    const { emit } = this.options;
    const jobId = this.jobs.start(
      RENDER_JOB,
      {
        type: 'render',
        projectDir: request.projectDir,
        mode: request.mode,
        input: request.input,
        identity: request.identity,
        output,
        consent: consentStatement(request.consent),
      },
      (jobId) => ({
        progress: (message) => {
          if (message.type !== 'progress') return;
          emit('render-progress', { jobId, done: message.event.done, total: message.event.total ?? null });
        },
        done: (message) => {
          if (message.type !== 'render-done') return;
          this.options.allowMedia(message.output);
          this.finishedRenders.set(jobId, message.output);
          const { frames, changedFrames, label } = message;
          emit('render-finished', {
            jobId,
            output: message.output,
            url: this.options.mediaUrl(message.output),
            frames,
            changedFrames,
            label,
          });
        },
        failed: (error) => emit('render-failed', { jobId, error }),
        cancelled: () => emit('render-cancelled', { jobId }),
      }),
    );
    return { jobId, output };
  }

  cancelRender(jobId: string): boolean {
    return this.jobs.stop(jobId, RENDER_JOB);
  }

  stopAll(): void {
    this.jobs.stopAll();
  }
}
