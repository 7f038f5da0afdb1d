/**
 * Saves and loads tf.LayersModel to a folder (model.json + weights.bin + manifest.json with sha256 sums),
 * without tfjs-node's file:// handler, so it works on every backend. Loading verifies every sum and names
 * the file and the expected sha256 when something is missing or corrupt.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { sha256Bytes, writeFileAtomic } from '../util/files.ts';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const MANIFEST_JSON = 'manifest.json';

export interface ModelManifest {
  format: 'unmask.layers-model';
  formatVersion: 1;
  files: Record<string, { sha256: string; bytes: number }>;
  /** Anything the model wants to keep beside its weights (calibration, architecture, training card). */
  metadata: Record<string, unknown>;
}

export async function saveLayersModel(
  model: tf.LayersModel,
  dir: string,
  metadata: Record<string, unknown> = {},
): Promise<ModelManifest> {
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!artifacts?.weightData || !artifacts.weightSpecs) throw new Error('model produced no weights');
  const weightBytes = new Uint8Array(
    tf.io.concatenateArrayBuffers([artifacts.weightData].flat() as ArrayBuffer[]),
  );
  const modelJson = JSON.stringify({
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
  });
  await writeFileAtomic(join(dir, WEIGHTS_BIN), weightBytes);
  await writeFileAtomic(join(dir, MODEL_JSON), modelJson);
  const manifest: ModelManifest = {
    format: 'unmask.layers-model',
    formatVersion: 1,
    files: {
      [MODEL_JSON]: { sha256: sha256Bytes(modelJson), bytes: Buffer.byteLength(modelJson) },
      [WEIGHTS_BIN]: { sha256: sha256Bytes(weightBytes), bytes: weightBytes.byteLength },
    },
    metadata,
  };
  await writeFileAtomic(join(dir, MANIFEST_JSON), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function readVerified(dir: string, name: string, manifest: ModelManifest): Promise<Buffer> {
  const path = join(dir, name);
  const expected = manifest.files[name];
  if (!expected)
    throw new UnmaskError('modelLoadFailed', `${join(dir, MANIFEST_JSON)} does not list ${name}`);
  if (!existsSync(path)) {
    throw new UnmaskError(
      'modelLoadFailed',
      `Model file ${path} is missing (expected sha256 ${expected.sha256}).`,
    );
  }
  const bytes = await readFile(path);
  const actual = sha256Bytes(bytes);
  if (actual !== expected.sha256) {
    throw new UnmaskError(
      'modelLoadFailed',
      `Model file ${path} is corrupt: sha256 ${actual}, expected ${expected.sha256}. Reinstall or retrain the model.`,
    );
  }
  return bytes;
}

export async function readModelManifest(dir: string): Promise<ModelManifest> {
  const path = join(dir, MANIFEST_JSON);
  if (!existsSync(path)) throw new UnmaskError('modelLoadFailed', `Model manifest ${path} is missing.`);
  try {
    const manifest = JSON.parse(await readFile(path, 'utf8')) as ModelManifest;
    if (manifest.format !== 'unmask.layers-model')
      throw new Error(`unknown format ${String(manifest.format)}`);
    return manifest;
  } catch (error) {
    throw new UnmaskError(
      'modelLoadFailed',
      `Model manifest ${path} is unreadable: ${(error as Error).message}`,
    );
  }
}

export async function loadLayersModel(
  dir: string,
): Promise<{ model: tf.LayersModel; manifest: ModelManifest }> {
  const manifest = await readModelManifest(dir);
  const modelJson = JSON.parse((await readVerified(dir, MODEL_JSON, manifest)).toString('utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  };
  const weights = await readVerified(dir, WEIGHTS_BIN, manifest);
  const weightData = weights.buffer.slice(
    weights.byteOffset,
    weights.byteOffset + weights.byteLength,
  ) as ArrayBuffer;
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
  return { model, manifest };
}
