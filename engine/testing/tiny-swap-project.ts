/**
 * Test helper: a swap project on synthetic faces with the TINY_SWAP architecture and an untrained step-0
 * checkpoint, so render, reenact, model and evaluation tests have something to load in milliseconds.
 */
import type { ConsentStatement } from '../swap/consent.ts';
import type { FaceSet } from '../swap/face-set.ts';
import { buildSwapNetworks } from '../swap/swap-networks.ts';
import { createSwapProject, saveCheckpoint } from '../swap/swap-project.ts';
import { tf } from '../runtime/tensorflow.ts';
import { syntheticFaceSet, TINY_SWAP } from './synthetic-faces.ts';

export interface TinySwapProjectOptions {
  consent?: ConsentStatement;
  /** Face sets to store; synthetic ones of 6 faces each by default. */
  sets?: { a?: FaceSet; b?: FaceSet };
}

export const TINY_PROJECT_CONSENT: ConsentStatement = {
  statement: 'synthetic test faces, no person',
  attestedAt: '2026-01-01T00:00:00.000Z',
};

/** Creates the project at `dir` (which must not exist yet) and returns the face sets it stored. */
export async function createTinySwapProject(
  dir: string,
  options: TinySwapProjectOptions = {},
): Promise<{ a: FaceSet; b: FaceSet }> {
  const sets = {
    a: options.sets?.a ?? syntheticFaceSet('a', 6, 64),
    b: options.sets?.b ?? syntheticFaceSet('b', 6, 64),
  };
  await createSwapProject(
    dir,
    {
      consent: options.consent ?? TINY_PROJECT_CONSENT,
      architecture: TINY_SWAP,
      seed: 1,
      batchSize: 2,
      learningRate: 1e-3,
      cycle: false,
      inputs: { a: ['a.mp4'], b: ['b.mp4'] },
    },
    sets,
  );
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
  return sets;
}
