/**
 * Entry of the engine process: receives one job, runs it with the engine and reports back. Runs as an
 * Electron utility process (messages through `process.parentPort`) or a Node child process (`process.send`).
 */
import { collectDoctorReport } from '../../engine/runtime/doctor.ts';
import { DEFAULT_SCAN_OPTIONS, scanVideo } from '../../engine/scan/scan-video.ts';
import { isUnmaskError } from '../../engine/util/errors.ts';
import { probeVideo } from '../../engine/video/probe.ts';
import type { FromEngine, ToEngine } from './engine-messages.ts';

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

function reportError(error: unknown): void {
  if (isUnmaskError(error)) send({ type: 'error', code: error.code, message: error.message });
  else
    send({
      type: 'error',
      code: 'internal',
      message: error instanceof Error ? error.message : String(error),
    });
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
      const result = await scanVideo(
        job.path,
        { ...DEFAULT_SCAN_OPTIONS, sampling: job.sampling },
        {
          signal: controller.signal,
          onProgress: (event) => send({ type: 'progress', event }),
          // The UI draws boxes and scores; the 468 mesh points stay in the saved scan only.
          onFrame: (frame) =>
            send({
              type: 'frame',
              frame: { ...frame, faces: frame.faces.map((f) => ({ ...f, landmarks: [] })) },
            }),
        },
      );
      send({ type: 'scan-done', result });
    }
  }
}

onMessage((job) => {
  run(job).catch(reportError);
});
