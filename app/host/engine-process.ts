/**
 * Entry of the engine process: receives one job, runs it with the engine and reports back. Runs as an
 * Electron utility process (messages through `process.parentPort`) or a Node child process (`process.send`).
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { checkQueueServer } from '../../engine/batch/queue-connection.ts';
import { parseQueueUrl } from '../../engine/batch/queue-url.ts';
import { DEFAULT_BATCH_ATTEMPTS, runBatch } from '../../engine/batch/run-batch.ts';
import {
  caseReportSource,
  exportReport,
  reportFileName,
  reportHtmlFor,
} from '../../engine/report/export-report.ts';
import { pdfPageDecorations } from '../../engine/report/pdf.ts';
import { FacePictures } from '../../engine/report/report-images.ts';
import { describeMapRange } from '../../engine/imaging/heatmap.ts';
import { collectDoctorReport } from '../../engine/runtime/doctor.ts';
import { readAiLabel } from '../../engine/scan/ai-label.ts';
import { DEFAULT_SCAN_OPTIONS, scanVideoStreaming } from '../../engine/scan/scan-video.ts';
import { openCaseStore } from '../../engine/store/case-store.ts';
import { openSwapProject } from '../../engine/swap/create-project.ts';
import { reenactFace } from '../../engine/swap/reenact.ts';
import { renderSwap } from '../../engine/swap/render-swap.ts';
import { defaultSwapArchitecture } from '../../engine/swap/swap-architecture.ts';
import { readCheckpointState } from '../../engine/swap/swap-project.ts';
import { trainSwapModel } from '../../engine/swap/train-swap.ts';
import { isUnmaskError, UnmaskError } from '../../engine/util/errors.ts';
import type { ProgressListener } from '../../engine/util/progress.ts';
import { probeVideo } from '../../engine/video/probe.ts';
import type {
  BatchJob,
  FacePictureJob,
  FromEngine,
  RenderJob,
  ReportJob,
  ToEngine,
  TrainJob,
} from './engine-messages.ts';
import { readSettings } from './settings-file.ts';

interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;

function send(message: FromEngine): void {
  if (electronPort) electronPort.postMessage(message);
  else process.send?.(message);
}

function onMessage(listener: (message: ToEngine) => void): void {
  if (electronPort) electronPort.on('message', (event) => listener(event.data as ToEngine));
  else process.on('message', (message) => listener(message as ToEngine));
}

const controller = new AbortController();
const onProgress: ProgressListener = (event) => send({ type: 'progress', event });

function reportError(error: unknown): void {
  if (isUnmaskError(error)) send({ type: 'error', code: error.code, message: error.message });
  else
    send({
      type: 'error',
      code: 'internal',
      message: error instanceof Error ? error.message : String(error),
    });
}

/** Extracts a new project's faces (or opens an existing one), then trains it for the run's steps. */
async function train(job: TrainJob): Promise<void> {
  const { options } = job;
  await openSwapProject({
    dir: job.projectDir,
    inputs: job.inputs,
    consent: job.consent,
    architecture: defaultSwapArchitecture(options.model, options.size),
    seed: 1,
    batchSize: options.batchSize,
    learningRate: 5e-4,
    cycle: false,
    faceSet: { sampling: { fps: options.extractFps } },
    minTrainingFaces: options.minFaces,
    onProgress,
    signal: controller.signal,
  });
  if (controller.signal.aborted) throw new UnmaskError('cancelled', 'Stopped before training began.');
  const totalSteps = ((await readCheckpointState(job.projectDir))?.step ?? 0) + options.steps;
  const result = await trainSwapModel(job.projectDir, {
    steps: totalSteps,
    maxMinutes: options.maxMinutes > 0 ? options.maxMinutes : Number.POSITIVE_INFINITY,
    previewEvery: options.previewEvery,
    workers: options.workers > 0 ? options.workers : availableParallelism(),
    signal: controller.signal,
    onProgress,
    onStep: (step, losses) => send({ type: 'train-step', step, totalSteps, loss: losses.total }),
    onPreview: (path, step) => send({ type: 'preview', path, step }),
  });
  send({ type: 'train-done', stoppedBy: result.stoppedBy });
}

/** Renders a swap or a reenactment, then reads the output's own AI label back from its container. */
async function render(job: RenderJob): Promise<void> {
  const common = {
    projectDir: job.projectDir,
    output: job.output,
    consent: job.consent,
    signal: controller.signal,
    onProgress,
  };
  const result =
    job.mode === 'swap'
      ? await renderSwap({ ...common, input: job.input, to: job.identity }).then((r) => ({
          frames: r.frames,
          changed: r.swappedFrames,
        }))
      : await reenactFace({ ...common, driver: job.input, target: job.identity }).then((r) => ({
          frames: r.frames,
          changed: r.paintedFrames,
        }));
  const probe = await probeVideo(job.output);
  send({
    type: 'render-done',
    output: job.output,
    frames: result.frames,
    changedFrames: result.changed,
    label: readAiLabel(probe) ?? null,
  });
}

/** Submits the files to the Redis queue and gathers the workers' results into the case library. */
async function batch(job: BatchJob): Promise<void> {
  const address = parseQueueUrl(job.queueUrl);
  // Before any file is hashed: an unreachable queue is said at once, naming the field the user typed it in.
  await checkQueueServer(address, { setting: 'the Redis URL on the Batch screen' });
  const library = openCaseStore(job.dataDir);
  try {
    const summary = await runBatch(
      {
        address,
        files: job.files,
        settings: job.settings,
        priority: job.priority,
        attempts: DEFAULT_BATCH_ATTEMPTS,
        retryFailed: false,
        library,
        pollIntervalMs: 1000,
        queueTimeoutMs: 600_000,
      },
      (event) => send({ type: 'batch-event', event }),
      controller.signal,
    );
    send({ type: 'batch-done', totals: summary.totals, stopped: controller.signal.aborted });
  } finally {
    library.close();
  }
}

/** Writes a case's report (or, where the shell prints PDFs, renders the HTML it prints). */
async function report(job: ReportJob): Promise<void> {
  // Who makes the report comes from the settings, printed on every page.
  const { analystName, organisation } = await readSettings(job.dataDir);
  const source = {
    ...caseReportSource(job.caseId, job.dataDir),
    analyst: { name: analystName, organisation },
  };
  const path = join(job.reportsDir, source.caseId!, reportFileName(source.scan.input.fileName, job.format));
  if (job.shellPrints) {
    const { report, html } = await reportHtmlFor(source);
    send({
      type: 'report-done',
      path,
      print: { html, decorations: pdfPageDecorations(report) },
    });
    return;
  }
  await exportReport(source, job.format, path);
  send({ type: 'report-done', path });
}

// The face pictures of the case on screen: its probe and the detector's crop geometry, read once.
let facePictures: { key: string; pictures: Promise<FacePictures> } | null = null;

function picturesOf(dataDir: string, caseId: string): Promise<FacePictures> {
  const key = `${dataDir}\0${caseId}`;
  if (facePictures?.key !== key) {
    const pictures = FacePictures.open(caseReportSource(caseId, dataDir).scan);
    pictures.catch(() => (facePictures = null));
    facePictures = { key, pictures };
  }
  return facePictures.pictures;
}

/** Draws one face picture; answers by the job's id, a failure included (other pictures may be in flight). */
async function facePicture(job: FacePictureJob): Promise<void> {
  try {
    const pictures = await picturesOf(job.dataDir, job.caseId);
    const picture = await pictures.draw(job.trackId, job.frameIndex, job.size);
    if (!picture)
      throw new UnmaskError(
        'inputNotFound',
        `Person ${job.trackId} is not in sampled frame ${job.frameIndex}.`,
      );
    const caption = picture.range
      ? describeMapRange(picture.range)
      : 'no blend-boundary map: this face scored under the inconclusive band';
    send({ type: 'face-picture-done', id: job.id, picture: { url: picture.url, caption } });
  } catch (error) {
    send({
      type: 'face-picture-failed',
      id: job.id,
      code: isUnmaskError(error) ? error.code : 'internal',
      message: error instanceof Error ? error.message : String(error),
    });
  }
}

async function run(job: ToEngine): Promise<void> {
  switch (job.type) {
    case 'cancel':
      controller.abort();
      return;
    case 'doctor':
      send({ type: 'doctor-done', report: await collectDoctorReport() });
      return;
    case 'scan': {
      // Probed once more here (ffprobe, tens of ms) so the UI can size the player before the first frame.
      const probe = await probeVideo(job.path);
      send({
        type: 'probed',
        displayWidth: probe.video.displayWidth,
        displayHeight: probe.video.displayHeight,
        durationSec: probe.durationSec,
      });
      // The frames go to a file in the job's folder as they come; the host files them from there.
      const { head, frames } = await scanVideoStreaming(
        job.path,
        { ...DEFAULT_SCAN_OPTIONS, sampling: job.sampling },
        {
          signal: controller.signal,
          onProgress,
          // The UI draws boxes and scores; the 468 mesh points stay in the saved scan only.
          onFrame: (frame) =>
            send({
              type: 'frame',
              frame: { ...frame, faces: frame.faces.map((f) => ({ ...f, landmarks: [] })) },
            }),
          // The timeline draws per-frame points itself; the consent warning needs each person's score so far.
          onTracks: (tracks) =>
            send({ type: 'tracks', tracks: tracks.map(({ smoothed: _smoothed, ...track }) => track) }),
        },
        { framesDir: job.framesDir },
      );
      frames.close();
      send({ type: 'scan-done', result: head });
      return;
    }
    case 'train':
      return train(job);
    case 'render':
      return render(job);
    case 'batch':
      return batch(job);
    case 'report':
      return report(job);
    case 'face-picture':
      return facePicture(job);
  }
}

onMessage((job) => {
  run(job).catch(reportError);
});
