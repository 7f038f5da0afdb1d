/**
 * A swap project on disk: what was extracted, how the model is built, who consented, and the training
 * checkpoint. Every file is written atomically, and a checkpoint is a folder swapped in by rename, so a kill
 * or a full disk leaves the last complete checkpoint in place.
 *
 *   <project>/project.json          format, consent, architecture, training settings, identities
 *   <project>/faces/a.bin, a.json   A's stacked faces (count × S×S×5 bytes) and their entries + skip reasons
 *   <project>/faces/a-reference.png A's most frontal frame (reenactment draws into it)
 *   <project>/checkpoint/           one saved LayersModel per part, optimizer.bin, state.json
 *   <project>/previews/             preview grids
 */
import { existsSync } from 'node:fs';
import { readFile, rename, rm, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { decodePng, encodePng } from '../imaging/png.ts';
import { loadLayersModel, saveLayersModel } from '../models/layers-model-io.ts';
import { loadOptimizerState, saveOptimizerState } from '../models/optimizer-state.ts';
import type { tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256Bytes, writeFileAtomic } from '../util/files.ts';
import type { ConsentStatement } from './consent.ts';
import { FACE_SET_CHANNELS, skipSummary, type FaceSet } from './face-set.ts';
import { validateSwapArchitecture, type SwapArchitecture } from './swap-architecture.ts';
import { swapNetworksFromParts, type Identity, type SwapNetworks } from './swap-networks.ts';

export const SWAP_PROJECT_FORMAT = 'unmask.swap-project';
export const PROJECT_JSON = 'project.json';
const CHECKPOINT = 'checkpoint';

const architectureSchema = z.object({
  kind: z.enum(['template', 'unit']),
  size: z.union([z.literal(64), z.literal(128)]),
  encoderWidths: z.array(z.number().int().positive()),
  latentDim: z.number().int().positive(),
  bottleneckChannels: z.number().int().positive(),
  upWidths: z.array(z.number().int().positive()),
});

const identitySchema = z.object({
  inputs: z.array(z.string()),
  faces: z.number().int().nonnegative(),
  heldOut: z.number().int().nonnegative(),
  skipped: z.record(z.string(), z.number()),
  sha256: z.string(),
});

export const swapProjectSchema = z.object({
  format: z.literal(SWAP_PROJECT_FORMAT),
  formatVersion: z.literal(1),
  createdAt: z.string(),
  consent: z.object({ statement: z.string().min(1), attestedAt: z.string() }),
  architecture: architectureSchema,
  margin: z.number(),
  /** How faces were resampled into crops; projects made before it was recorded were bilinear. */
  resampling: z.enum(['bilinear', 'area']).default('bilinear'),
  seed: z.number().int(),
  training: z.object({
    batchSize: z.number().int().positive(),
    learningRate: z.number().positive(),
    cycle: z.boolean(),
  }),
  identities: z.object({ a: identitySchema, b: identitySchema }),
});

export type SwapProject = z.infer<typeof swapProjectSchema>;

export interface TrainingLogEntry {
  step: number;
  loss: number;
  lossA: number;
  lossB: number;
  elapsedSec: number;
}

export interface CheckpointState {
  step: number;
  elapsedSec: number;
  architecture: SwapArchitecture;
  log: TrainingLogEntry[];
}

/** Turns a failed write into the swap engine's disk-full error when that is what it was. */
export function swapWriteError(error: unknown, what: string): unknown {
  const codes = [error, (error as { cause?: unknown })?.cause].map((e) => (e as { code?: string })?.code);
  if (codes.includes('ENOSPC') || /ENOSPC|no space left/i.test(String((error as Error)?.message))) {
    return new UnmaskError(
      'swapDiskFull',
      `Disk full while writing ${what}; nothing partial was kept (the last complete checkpoint, if any, is intact). Free some space and run again.`,
      { cause: error },
    );
  }
  return error;
}

async function guardedWrite(path: string, contents: string | Uint8Array): Promise<void> {
  try {
    await writeFileAtomic(path, contents);
  } catch (error) {
    throw swapWriteError(error, path);
  }
}

export function isSwapProject(dir: string): boolean {
  return existsSync(join(dir, PROJECT_JSON));
}

export async function readSwapProject(dir: string): Promise<SwapProject> {
  const path = join(dir, PROJECT_JSON);
  if (!existsSync(path)) {
    throw new UnmaskError(
      'swapProjectMismatch',
      `${resolve(dir)} is not a swap project (no ${PROJECT_JSON}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UnmaskError('swapProjectMismatch', `${path} is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = swapProjectSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnmaskError(
      'swapProjectMismatch',
      `${path} is not an ${SWAP_PROJECT_FORMAT} v1 file (${issue.path.join('.') || 'root'}: ${issue.message}).`,
    );
  }
  validateSwapArchitecture(parsed.data.architecture);
  return parsed.data;
}

function faceSetFiles(dir: string, identity: Identity) {
  return {
    bin: join(dir, 'faces', `${identity}.bin`),
    json: join(dir, 'faces', `${identity}.json`),
    reference: join(dir, 'faces', `${identity}-reference.png`),
  };
}

export interface NewProjectSettings {
  consent: ConsentStatement;
  architecture: SwapArchitecture;
  seed: number;
  batchSize: number;
  learningRate: number;
  cycle: boolean;
  inputs: Record<Identity, string[]>;
}

/**
 * Writes a new project in one go: into a sibling temporary folder, renamed to `dir` at the end, so a failure
 * (including a full disk) leaves no half-made project.
 */
export async function createSwapProject(
  dir: string,
  settings: NewProjectSettings,
  faceSets: Record<Identity, FaceSet>,
): Promise<SwapProject> {
  const staging = `${resolve(dir)}.partial-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  const identity = (set: FaceSet) => ({
    inputs: settings.inputs[set.identity].map((p) => resolve(p)),
    faces: set.entries.length,
    heldOut: set.entries.filter((e) => e.heldOut).length,
    skipped: skipSummary(set.skipped) as Record<string, number>,
    sha256: sha256Bytes(set.stacked),
  });
  const project: SwapProject = {
    format: SWAP_PROJECT_FORMAT,
    formatVersion: 1,
    createdAt: new Date().toISOString(),
    consent: settings.consent,
    architecture: settings.architecture,
    margin: faceSets.a.margin,
    resampling: faceSets.a.resampling,
    seed: settings.seed,
    training: { batchSize: settings.batchSize, learningRate: settings.learningRate, cycle: settings.cycle },
    identities: { a: identity(faceSets.a), b: identity(faceSets.b) },
  };
  try {
    for (const set of [faceSets.a, faceSets.b]) {
      const files = faceSetFiles(staging, set.identity);
      await guardedWrite(files.bin, set.stacked);
      const ref = set.reference;
      await guardedWrite(
        files.json,
        JSON.stringify({
          identity: set.identity,
          size: set.size,
          margin: set.margin,
          resampling: set.resampling,
          entries: set.entries,
          skipped: set.skipped,
          reference: ref && { source: ref.source, timeSec: ref.timeSec, keypoints: ref.keypoints },
        }),
      );
      if (ref) await guardedWrite(files.reference, encodePng(ref.frame));
    }
    await guardedWrite(join(staging, PROJECT_JSON), `${JSON.stringify(project, null, 2)}\n`);
    await rm(dir, { recursive: true, force: true });
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
  return project;
}

export interface LoadedFaceSet extends FaceSet {
  /** Indices of the training faces and of the held-out faces. */
  train: number[];
  heldOut: number[];
}

export async function readFaceSet(
  dir: string,
  project: SwapProject,
  identity: Identity,
): Promise<LoadedFaceSet> {
  const files = faceSetFiles(dir, identity);
  const corrupt = (why: string) =>
    new UnmaskError(
      'swapProjectMismatch',
      `Face set ${identity.toUpperCase()} of ${dir} is unusable: ${why}.`,
    );
  if (!existsSync(files.bin) || !existsSync(files.json)) throw corrupt('faces/ files are missing');
  const bytes = new Uint8Array(await readFile(files.bin));
  if (sha256Bytes(bytes) !== project.identities[identity].sha256)
    throw corrupt(`${files.bin} does not match its sha256`);
  const meta = JSON.parse(await readFile(files.json, 'utf8')) as {
    size: number;
    margin: number;
    entries: FaceSet['entries'];
    skipped: FaceSet['skipped'];
    reference?: { source: string; timeSec: number; keypoints: [number, number][] };
  };
  const size = meta.size;
  if (size !== project.architecture.size)
    throw corrupt(`faces are ${size} px but the model is ${project.architecture.size} px`);
  if (bytes.length !== meta.entries.length * size * size * FACE_SET_CHANNELS)
    throw corrupt('face count and bytes disagree');
  const reference =
    meta.reference && existsSync(files.reference)
      ? { ...meta.reference, frame: decodePng(await readFile(files.reference)) }
      : undefined;
  const train: number[] = [];
  const heldOut: number[] = [];
  meta.entries.forEach((e, i) => (e.heldOut ? heldOut : train).push(i));
  return {
    identity,
    size,
    margin: meta.margin,
    resampling: project.resampling,
    entries: meta.entries,
    stacked: bytes,
    skipped: meta.skipped,
    reference,
    train,
    heldOut,
  };
}

export function checkpointDir(dir: string): string {
  return join(dir, CHECKPOINT);
}

/**
 * Saves every part, the optimizer's slots and the training state into `checkpoint.next/`, then swaps it in:
 * checkpoint → checkpoint.prev, checkpoint.next → checkpoint, prev removed. Readers fall back to .prev.
 */
export async function saveCheckpoint(
  dir: string,
  networks: SwapNetworks,
  optimizer: tf.Optimizer,
  state: CheckpointState,
): Promise<void> {
  const final = checkpointDir(dir);
  const next = `${final}.next`;
  const prev = `${final}.prev`;
  try {
    await rm(next, { recursive: true, force: true });
    await mkdir(next, { recursive: true });
    for (const [name, model] of Object.entries(networks.parts)) {
      await saveLayersModel(model, join(next, name), { part: name, architecture: networks.architecture });
    }
    await saveOptimizerState(optimizer, join(next, 'optimizer.bin'));
    await writeFileAtomic(join(next, 'state.json'), `${JSON.stringify(state)}\n`);
    await rm(prev, { recursive: true, force: true });
    if (existsSync(final)) await rename(final, prev);
    await rename(next, final);
    await rm(prev, { recursive: true, force: true });
  } catch (error) {
    await rm(next, { recursive: true, force: true }).catch(() => undefined);
    throw swapWriteError(error, `the checkpoint in ${final}`);
  }
}

/** The folder holding the last complete checkpoint, or undefined when the project was never checkpointed. */
function completeCheckpoint(dir: string): string | undefined {
  const final = checkpointDir(dir);
  if (existsSync(join(final, 'state.json'))) return final;
  const prev = `${final}.prev`;
  if (existsSync(join(prev, 'state.json'))) return prev;
  return undefined;
}

export function hasCheckpoint(dir: string): boolean {
  return completeCheckpoint(dir) !== undefined;
}

/** The training state (step, time, loss log) of the last complete checkpoint, without loading any weights. */
export async function readCheckpointState(dir: string): Promise<CheckpointState | undefined> {
  const folder = completeCheckpoint(dir);
  if (!folder) return undefined;
  try {
    return JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as CheckpointState;
  } catch (error) {
    throw new UnmaskError(
      'swapCheckpointCorrupt',
      `The checkpoint in ${folder} is corrupt (state.json: ${(error as Error).message}). Delete that folder to retrain from scratch.`,
      { cause: error },
    );
  }
}

function sameArchitecture(p: SwapArchitecture, q: SwapArchitecture): boolean {
  return JSON.stringify(validateSwapArchitecture(p)) === JSON.stringify(validateSwapArchitecture(q));
}

/** Loads the networks (and, given an optimizer, its slots) of the last complete checkpoint. */
export async function loadCheckpoint(
  dir: string,
  project: SwapProject,
  optimizer?: tf.Optimizer,
): Promise<{ networks: SwapNetworks; state: CheckpointState }> {
  const folder = completeCheckpoint(dir);
  if (!folder) {
    throw new UnmaskError(
      'swapNotTrained',
      `${resolve(dir)} has no checkpoint yet: run \`unmask swap train\` first.`,
    );
  }
  const corrupt = (why: string, cause?: unknown) =>
    new UnmaskError(
      'swapCheckpointCorrupt',
      `The checkpoint in ${folder} is corrupt (${why}). Delete that folder to retrain from scratch.`,
      { cause },
    );
  let state: CheckpointState;
  try {
    state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as CheckpointState;
  } catch (error) {
    throw corrupt(`state.json: ${(error as Error).message}`, error);
  }
  if (!state.architecture || !sameArchitecture(state.architecture, project.architecture)) {
    throw new UnmaskError(
      'swapProjectMismatch',
      `The checkpoint in ${folder} was trained for a different model than ${PROJECT_JSON} describes (${state.architecture?.kind} ${state.architecture?.size} px vs ${project.architecture.kind} ${project.architecture.size} px).`,
    );
  }
  const names =
    project.architecture.kind === 'template'
      ? ['encoder', 'decoder_a', 'decoder_b']
      : ['encoder_a', 'encoder_b', 'encoder_shared', 'decoder_shared', 'decoder_a', 'decoder_b'];
  const parts: Record<string, tf.LayersModel> = {};
  try {
    for (const name of names) parts[name] = (await loadLayersModel(join(folder, name))).model;
    const networks = swapNetworksFromParts(project.architecture, parts);
    if (optimizer) await loadOptimizerState(optimizer, join(folder, 'optimizer.bin'));
    return { networks, state };
  } catch (error) {
    Object.values(parts).forEach((m) => m.dispose());
    if (error instanceof UnmaskError && error.code !== 'modelLoadFailed') throw error;
    throw corrupt((error as Error).message, error);
  }
}
