import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initTensorflow } from '../../engine/runtime/tensorflow.ts';
import { createTinySwapProject } from '../../engine/testing/tiny-swap-project.ts';
import { UnmaskError } from '../../engine/util/errors.ts';
import { DEFAULT_TRAINING_OPTIONS, type AppEvents } from '../common/contract.ts';
import { SwapJobs } from './swap-jobs.ts';
import { fakeEngine, recorder } from './testing-engine.ts';

const consent = {
  subjectsConsented: true as const,
  willLabelOutput: true as const,
  attestedBy: 'Test Suite',
  statement: 'Synthetic faces drawn by the test, no person',
};

let dataDir = '';
let projectDir = '';

before(async () => {
  await initTensorflow();
  dataDir = await mkdtemp(join(tmpdir(), 'unmask-swap-jobs-'));
  await mkdir(join(dataDir, 'studio', 'projects'), { recursive: true });
  projectDir = join(dataDir, 'studio', 'projects', 'tiny');
  await createTinySwapProject(projectDir);
});

function studio() {
  const engine = fakeEngine();
  const events = recorder();
  const allowed: string[] = [];
  const jobs = new SwapJobs({
    dataDir,
    launch: engine.launch,
    emit: events.emit,
    mediaUrl: (path) => `media:${path}`,
    allowMedia: (path) => allowed.push(path),
  });
  return { engine, events, jobs, allowed };
}

test('projects in the studio folder are listed with their steps and consent', async () => {
  const { jobs } = studio();
  const [project] = await jobs.listProjects();
  assert.equal(project?.dir, projectDir);
  assert.equal(project?.steps, 0);
  assert.equal(project?.model, 'template');
  assert.match(project?.consent ?? '', /synthetic test faces/);
});

test('Stop is not a cancellation: the engine checkpoints and the run ends as finished', async () => {
  const { engine, events, jobs } = studio();
  const { jobId } = await jobs.startTraining({ projectDir, consent, options: DEFAULT_TRAINING_OPTIONS });
  const job = engine.sent[0]!;
  assert.equal(job.type, 'train');
  assert.deepEqual(job.type === 'train' && job.inputs, { a: [], b: [] }, 'resuming sends no inputs');
  assert.match(job.type === 'train' ? job.consent.statement : '', /\(attested by Test Suite\)$/);
  engine.reply({ type: 'train-step', step: 1, totalSteps: 300, loss: 0.5 });
  engine.reply({ type: 'preview', path: join(projectDir, 'previews', 'preview-000001.png'), step: 1 });
  assert.equal(jobs.stopTraining(jobId), true);
  assert.deepEqual(engine.sent.at(-1), { type: 'cancel' });
  engine.reply({ type: 'train-done', stoppedBy: 'signal' });
  const finished = (await events.next('train-finished')) as AppEvents['train-finished'];
  assert.equal(finished.stoppedBy, 'signal');
  assert.equal(finished.project.dir, projectDir);
  assert.deepEqual(
    events.events.map((e) => e.event),
    ['train-step', 'train-preview', 'train-finished'],
  );
  const preview = events.events[1]!.payload as AppEvents['train-preview'];
  assert.match(preview.url, /^media:.*preview-000001\.png$/);
});

test('one training run at a time; a crash keeps the checkpoint and frees the slot', async () => {
  const { engine, events, jobs } = studio();
  await jobs.startTraining({ projectDir, consent, options: DEFAULT_TRAINING_OPTIONS });
  await assert.rejects(
    jobs.startTraining({ projectDir, consent, options: DEFAULT_TRAINING_OPTIONS }),
    (e: unknown) => e instanceof UnmaskError && e.code === 'appJobBusy',
  );
  engine.exit(134);
  const failed = (await events.next('train-failed')) as AppEvents['train-failed'];
  assert.equal(failed.error.code, 'engineCrashed');
  assert.match(failed.error.message, /last checkpoint is intact/);
  await jobs.startTraining({ projectDir, consent, options: DEFAULT_TRAINING_OPTIONS });
});

test('a new project needs both videos to exist, and is made under the studio folder', async () => {
  const { engine, jobs } = studio();
  const a = join(dataDir, 'Ada Clip.mp4');
  await writeFile(a, 'not read by the fake engine');
  await assert.rejects(
    jobs.startTraining({
      identityA: a,
      identityB: join(dataDir, 'missing.mp4'),
      consent,
      options: DEFAULT_TRAINING_OPTIONS,
    }),
    (e: unknown) => e instanceof UnmaskError && e.code === 'inputNotFound',
  );
  const started = await jobs.startTraining({
    identityA: a,
    identityB: a,
    consent,
    options: DEFAULT_TRAINING_OPTIONS,
  });
  assert.ok(jobs.owns(started.projectDir));
  assert.match(started.projectDir, /Ada_Clip-and-Ada_Clip-\d{8}-\d{6}$/);
  const job = engine.sent[0]!;
  assert.deepEqual(job.type === 'train' && job.inputs, { a: [a], b: [a] });
});

test('renders go to the studio folder or where the user chose; the result becomes playable', async () => {
  const { engine, events, jobs, allowed } = studio();
  const input = join(dataDir, 'Ada Clip.mp4');
  await assert.rejects(
    jobs.startRender({
      projectDir,
      mode: 'swap',
      input,
      identity: 'b',
      output: '/etc/elsewhere.mp4',
      consent,
    }),
    /Save as/,
  );
  const chosen = join(await mkdtemp(join(tmpdir(), 'unmask-render-')), 'mine.mp4');
  assert.deepEqual(await jobs.chooseOutputPath('x.mp4', async () => chosen), { path: chosen });
  const { output } = await jobs.startRender({
    projectDir,
    mode: 'reenact',
    input,
    identity: 'a',
    output: chosen,
    consent,
  });
  assert.equal(output, chosen);
  const job = engine.sent[0]!;
  assert.equal(job.type === 'render' && job.mode, 'reenact');
  engine.reply({ type: 'progress', event: { stage: 'reenact', done: 3, total: 10 } });
  const label = { aiGenerated: true, tag: 'ai_generated', value: 'true', generator: 'unmask', consent: 'c' };
  engine.reply({ type: 'render-done', output: chosen, frames: 10, changedFrames: 9, label });
  const finished = (await events.next('render-finished')) as AppEvents['render-finished'];
  assert.equal(finished.url, `media:${chosen}`);
  assert.deepEqual(finished.label, label);
  assert.deepEqual(allowed, [chosen]);
  assert.deepEqual(events.events[0], {
    event: 'render-progress',
    payload: { jobId: finished.jobId, done: 3, total: 10 },
  });

  const fallback = await jobs.chooseOutputPath('demo.mp4');
  assert.ok(fallback && jobs.owns(fallback.path), 'without a dialog the default folder is used');
});
