/**
 * Opens a swap project for training: an existing one is checked against what the user asked for; a new one is
 * extracted (faces of A and of B) in memory, checked, and only then written, so too few faces, a missing
 * consent or a full disk leave nothing behind.
 */
import { resolve } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { loadFaceDetector } from '../faces/face-detector.ts';
import { UnmaskError } from '../util/errors.ts';
import type { ProgressListener } from '../util/progress.ts';
import {
  DEFAULT_FACE_SET_OPTIONS,
  extractFaceSet,
  skipSummary,
  type FaceSet,
  type FaceSetOptions,
} from './face-set.ts';
import type { Identity } from './swap-networks.ts';
import {
  createSwapProject,
  isSwapProject,
  readSwapProject,
  type NewProjectSettings,
  type SwapProject,
} from './swap-project.ts';

/** Fewest training faces (held-out ones not counted) an identity needs. */
export const DEFAULT_MIN_TRAINING_FACES = 24;

/** What a new project stores (NewProjectSettings), plus where it lives and how its faces are extracted. */
export interface OpenSwapProjectRequest extends NewProjectSettings {
  dir: string;
  faceSet: Partial<FaceSetOptions>;
  minTrainingFaces: number;
  onProgress?: ProgressListener;
  signal?: AbortSignal;
}

export interface OpenedSwapProject {
  project: SwapProject;
  created: boolean;
  faceSets?: Record<Identity, FaceSet>;
}

function describeSkips(set: FaceSet): string {
  const summary = Object.entries(skipSummary(set.skipped))
    .map(([reason, n]) => `${n} ${reason}`)
    .join(', ');
  return summary ? ` (skipped: ${summary})` : '';
}

export async function openSwapProject(request: OpenSwapProjectRequest): Promise<OpenedSwapProject> {
  const { dir } = request;
  if (isSwapProject(dir)) {
    const project = await readSwapProject(dir);
    const wanted = request.architecture;
    const have = project.architecture;
    if (wanted.kind !== have.kind || wanted.size !== have.size) {
      throw new UnmaskError(
        'swapProjectMismatch',
        `${resolve(dir)} holds a ${have.kind} ${have.size} px project, not ${wanted.kind} ${wanted.size} px; use another --out or the same --model/--size.`,
      );
    }
    for (const identity of ['a', 'b'] as const) {
      const given = request.inputs[identity].map((p) => resolve(p)).sort();
      const stored = project.identities[identity].inputs.slice().sort();
      if (given.length > 0 && JSON.stringify(given) !== JSON.stringify(stored)) {
        throw new UnmaskError(
          'swapProjectMismatch',
          `${resolve(dir)} was made from other --${identity} inputs (${stored.join(', ')}); use another --out to train on new footage.`,
        );
      }
    }
    return { project, created: false };
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UnmaskError(
      'swapProjectMismatch',
      `${resolve(dir)} exists and is not a swap project; choose an empty or new folder.`,
    );
  }
  for (const identity of ['a', 'b'] as const) {
    if (request.inputs[identity].length === 0)
      throw new UnmaskError('usage', `A new project needs --${identity} <video|image|folder>.`);
  }
  const options = { ...DEFAULT_FACE_SET_OPTIONS, ...request.faceSet, size: request.architecture.size };
  const detector = await loadFaceDetector({ maxFaces: 4 });
  let sets: Record<Identity, FaceSet>;
  try {
    sets = {
      a: await extractFaceSet('a', request.inputs.a, detector, options, request.onProgress, request.signal),
      b: await extractFaceSet('b', request.inputs.b, detector, options, request.onProgress, request.signal),
    };
  } finally {
    detector.dispose();
  }
  for (const set of [sets.a, sets.b]) {
    const training = set.entries.filter((e) => !e.heldOut).length;
    if (training < request.minTrainingFaces) {
      throw new UnmaskError(
        'swapTooFewFaces',
        `Identity ${set.identity.toUpperCase()} has ${training} usable training faces, ${request.minTrainingFaces} are needed${describeSkips(set)}. Add more footage of this person (or sample more frames with --fps). Nothing was written.`,
      );
    }
  }
  const project = await createSwapProject(
    dir,
    {
      consent: request.consent,
      architecture: request.architecture,
      seed: request.seed,
      batchSize: request.batchSize,
      learningRate: request.learningRate,
      cycle: request.cycle,
      inputs: request.inputs,
    },
    sets,
  );
  return { project, created: true, faceSets: sets };
}
