/**
 * The Studio's state: the projects, the one training run and the latest render, updated from host events
 * whether or not the Studio screen is showing. Named app events (`train-preview-shown`, `train-finished`,
 * `render-finished`, …) are recorded for the e2e suite.
 */
import type { AppEvents, JobError, SwapProjectSummary } from '../common/contract.ts';
import { errorMessage, signalAppEvent, unmask } from './api.ts';
import { createStore } from './store.ts';

export interface TrainingRun {
  /** Null until the host has answered (its events can arrive first). */
  jobId: string | null;
  projectDir: string | null;
  status: 'running' | 'stopping' | 'finished' | 'failed';
  stage: string;
  progress: { done: number; total: number | null; detail: string | null } | null;
  /** [step, loss] of every step of this run. */
  losses: Array<[number, number]>;
  preview: { url: string; step: number } | null;
  stoppedBy: AppEvents['train-finished']['stoppedBy'] | null;
  error: JobError | null;
}

export interface RenderRun {
  jobId: string | null;
  status: 'running' | 'finished' | 'failed' | 'cancelled';
  output: string | null;
  progress: { done: number; total: number | null } | null;
  result: AppEvents['render-finished'] | null;
  error: JobError | null;
}

export interface StudioState {
  projects: SwapProjectSummary[] | null;
  projectsError: string | null;
  training: TrainingRun | null;
  render: RenderRun | null;
}

export const studioStore = createStore<StudioState>({
  projects: null,
  projectsError: null,
  training: null,
  render: null,
});

export function refreshProjects(): Promise<void> {
  return unmask.listSwapProjects({}).then(
    (projects) => studioStore.update((s) => ({ ...s, projects, projectsError: null })),
    (e: unknown) => studioStore.update((s) => ({ ...s, projectsError: errorMessage(e) })),
  );
}

export function newTrainingRun(projectDir: string | null): TrainingRun {
  return {
    jobId: null,
    projectDir,
    status: 'running',
    stage: 'start',
    progress: null,
    losses: [],
    preview: null,
    stoppedBy: null,
    error: null,
  };
}

export function newRenderRun(): RenderRun {
  return { jobId: null, status: 'running', output: null, progress: null, result: null, error: null };
}

/** A run accepts events of its own job, or of any job before it knows its id. */
const ownsJob = (run: { jobId: string | null } | null, jobId: string) =>
  run !== null && (run.jobId === jobId || run.jobId === null);

function updateTraining(jobId: string, change: (run: TrainingRun) => TrainingRun): void {
  studioStore.update((s) =>
    s.training && ownsJob(s.training, jobId) ? { ...s, training: change({ ...s.training, jobId }) } : s,
  );
}

function updateRender(jobId: string, change: (run: RenderRun) => RenderRun): void {
  studioStore.update((s) =>
    s.render && ownsJob(s.render, jobId) ? { ...s, render: change({ ...s.render, jobId }) } : s,
  );
}

/** Subscribes the store to the host's studio events; returns the unsubscribe function. */
export function connectStudioEvents(): () => void {
  const off = [
    unmask.on('train-progress', ({ jobId, stage, ...progress }) =>
      updateTraining(jobId, (run) => ({ ...run, stage, progress })),
    ),
    unmask.on('train-step', ({ jobId, step, loss }) =>
      updateTraining(jobId, (run) => ({ ...run, losses: [...run.losses, [step, loss]] })),
    ),
    unmask.on('train-preview', ({ jobId, step, url }) => {
      updateTraining(jobId, (run) => ({ ...run, preview: { url, step } }));
      signalAppEvent('train-preview-shown', { step });
    }),
    unmask.on('train-finished', ({ jobId, project, stoppedBy }) => {
      updateTraining(jobId, (run) => ({ ...run, status: 'finished', stoppedBy, projectDir: project.dir }));
      void refreshProjects();
      signalAppEvent('train-finished', { steps: project.steps, stoppedBy, projectDir: project.dir });
    }),
    unmask.on('train-failed', ({ jobId, error }) => {
      updateTraining(jobId, (run) => ({ ...run, status: 'failed', error }));
      void refreshProjects();
      signalAppEvent('train-failed', { code: error.code, message: error.message });
    }),
    unmask.on('render-progress', ({ jobId, done, total }) =>
      updateRender(jobId, (run) => ({ ...run, progress: { done, total } })),
    ),
    unmask.on('render-finished', (result) => {
      updateRender(result.jobId, (run) => ({ ...run, status: 'finished', result }));
      signalAppEvent('render-finished', { output: result.output, aiGenerated: result.label?.aiGenerated });
    }),
    unmask.on('render-failed', ({ jobId, error }) => {
      updateRender(jobId, (run) => ({ ...run, status: 'failed', error }));
      signalAppEvent('render-failed', { code: error.code, message: error.message });
    }),
    unmask.on('render-cancelled', ({ jobId }) => {
      updateRender(jobId, (run) => ({ ...run, status: 'cancelled' }));
      signalAppEvent('render-cancelled', { jobId });
    }),
  ];
  void refreshProjects();
  return () => off.forEach((unsubscribe) => unsubscribe());
}
