/**
 * Test helper: a tiny swap project (TINY_SWAP on synthetic faces) with an untrained step-0 checkpoint, so
 * render, reenact, model-loading and app tests have something to load without training first.
 */
import { tf } from '../runtime/tensorflow.ts';
import type { ConsentStatement } from '../swap/consent.ts';
import type { FaceSet } from '../swap/face-set.ts';
import { buildSwapNetworks, type Identity } from '../swap/swap-networks.ts';
import { createSwapProject, saveCheckpoint } from '../swap/swap-project.ts';
import { syntheticFaceSet, TINY_SWAP } from './synthetic-faces.ts';

export const TEST_CONSENT: ConsentStatement = {
  statement: 'Fixture portraits are public-domain government works',
  attestedAt: '2026-01-01T00:00:00.000Z',
};

export interface TinySwapProjectOptions {
  consent?: ConsentStatement;
  /** Defaults to 6 synthetic faces of each identity. */
  faceSets?: Record<Identity, FaceSet>;
  /** Write the step-0 checkpoint (default true). */
  checkpoint?: boolean;
}

/** Creates the project in `dir` (which must not exist yet); call after initTensorflow(). */
export async function makeTinySwapProject(dir: string, options: TinySwapProjectOptions = {}): Promise<void> {
  const faceSets = options.faceSets ?? { a: syntheticFaceSet('a', 6, 64), b: syntheticFaceSet('b', 6, 64) };
  await createSwapProject(
    dir,
    {
      consent: options.consent ?? TEST_CONSENT,
      architecture: TINY_SWAP,
      seed: 1,
      batchSize: 2,
      learningRate: 1e-3,
      cycle: false,
      inputs: { a: ['a.mp4'], b: ['b.mp4'] },
    },
    faceSets,
  );
  if (options.checkpoint === false) return;
  const networks = buildSwapNetworks(TINY_SWAP, 1);
  const optimizer = tf.train.adam(1e-3);
  try {
    await saveCheckpoint(dir, networks, optimizer, {
      step: 0,
      elapsedSec: 0,
      architecture: TINY_SWAP,
      log: [],
    });
  } finally {
    networks.dispose();
    optimizer.dispose();
  }
}
