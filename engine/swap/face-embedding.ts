/**
 * Face-recognition embeddings for judging identity transfer, from the `faceres` model that ships inside
 * @vladmandic/human (HSE FaceRec, a MobileNet trained for face identification; 1024-d `global_pooling/Mean`
 * output). Loaded from disk through the one model interface: `loadFaceEmbedder()` → `{ predict, dispose }`.
 * Stage contract: takes aligned face crops (FloatImage, any square size, 0..1), returns unit-length 1024-d
 * descriptors; preprocessing follows Human's (bilinear resize to 224×224, values ×255).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FloatImage } from '../imaging/float-image.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';

const require = createRequire(import.meta.url);
/** The models folder inside the @vladmandic/human package (its graph models ship in the npm tarball). */
export const HUMAN_MODELS_DIR = join(dirname(dirname(require.resolve('@vladmandic/human'))), 'models');
export const FACERES_JSON = join(HUMAN_MODELS_DIR, 'faceres.json');
const EMBEDDING_OUTPUT = 'global_pooling/Mean';
const INPUT_SIZE = 224;

export interface FaceEmbedder {
  predict(crops: readonly FloatImage[]): Promise<Float32Array[]>;
  dispose(): void;
}

/** Human's faceres preprocessing: N×H×W×3 crops in 0..1 → N×224×224×3 in 0..255 (bilinear). */
export function faceresInput(crops: tf.Tensor4D): tf.Tensor4D {
  return tf.image.resizeBilinear(crops, [INPUT_SIZE, INPUT_SIZE]).mul(255);
}

/**
 * A graph model in tfjs's JSON + weights layout read from disk (no network), such as the models that ship with
 * @vladmandic/human. `description` names it in the error a missing or corrupt file gives.
 */
export async function loadGraphModelFile(jsonPath: string, description: string): Promise<tf.GraphModel> {
  await initTensorflow();
  try {
    const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
    const weights = Buffer.concat(
      json.weightsManifest.flatMap((g) => g.paths.map((p) => readFileSync(join(dirname(jsonPath), p)))),
    );
    return await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: weights.buffer.slice(
          weights.byteOffset,
          weights.byteOffset + weights.byteLength,
        ) as ArrayBuffer,
      }),
    );
  } catch (error) {
    throw new UnmaskError(
      'modelLoadFailed',
      `${description} ${jsonPath} failed to load: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** The faceres graph model itself: for the embedder and for feature probes. */
export function loadFaceresGraph(jsonPath = FACERES_JSON): Promise<tf.GraphModel> {
  return loadGraphModelFile(jsonPath, 'Face-recognition model');
}

export async function loadFaceEmbedder(jsonPath = FACERES_JSON): Promise<FaceEmbedder> {
  const model = await loadFaceresGraph(jsonPath);
  return {
    async predict(crops) {
      const out: Float32Array[] = [];
      for (const crop of crops) {
        const embedding = tf.tidy(() => {
          const image = tf.tensor4d(crop.data, [1, crop.height, crop.width, crop.channels]);
          const result = model.execute(faceresInput(image), EMBEDDING_OUTPUT) as tf.Tensor;
          const flat = result.reshape([-1]);
          return flat.div(flat.norm().add(1e-12));
        });
        out.push((await embedding.data()) as Float32Array);
        embedding.dispose();
      }
      return out;
    },
    dispose: () => model.dispose(),
  };
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return dot / Math.sqrt(na * nb);
}

/** Mean of unit vectors, renormalised. */
export function centroid(vectors: readonly Float32Array[]): Float32Array {
  if (vectors.length === 0) throw new RangeError('centroid of no vectors');
  const sum = new Float32Array(vectors[0]!.length);
  for (const v of vectors) for (let i = 0; i < v.length; i++) sum[i]! += v[i]!;
  const norm = Math.hypot(...sum);
  return sum.map((v) => v / norm);
}
