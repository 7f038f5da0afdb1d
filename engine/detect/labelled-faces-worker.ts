/** Worker-thread entry: aligns one chunk of a labelled dataset's rows. See align-labelled-faces.ts. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { buildLabelledFaceBanks, type LabelledFaceRow, type LabelledFacesOptions } from './labelled-faces.ts';

const { dir, rows, options } = workerData as {
  dir: string;
  rows: LabelledFaceRow[];
  options: LabelledFacesOptions;
};
const detector = await loadFaceDetector();
try {
  const built = await buildLabelledFaceBanks(dir, rows, detector, options, (event) =>
    parentPort!.postMessage({ kind: 'progress', done: event.done }),
  );
  const transfer = Object.values(built.banks).map((bank) => bank.crops.buffer as ArrayBuffer);
  parentPort!.postMessage({ kind: 'done', ...built }, transfer);
} catch (error) {
  parentPort!.postMessage({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
} finally {
  detector.dispose();
}
