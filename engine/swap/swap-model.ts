/**
 * A trained swap project behind the one model interface: `loadSwapModel(project)` → `{ predict, dispose }`.
 * Stage contract: takes aligned faces of one identity (FloatImage S×S×3, 0..1, framed as extraction framed
 * them); returns, for the identity asked for, the painted face (S×S×3, 0..1) and its predicted mask (S×S×1).
 */
import type { FloatImage } from '../imaging/float-image.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import type { SwapArchitecture } from './swap-architecture.ts';
import type { Identity, SwapNetworks } from './swap-networks.ts';
import { loadCheckpoint, readSwapProject, type SwapProject } from './swap-project.ts';

export interface SwapPrediction {
  face: FloatImage;
  mask: FloatImage;
}

export interface SwapModel {
  /** Encodes faces of `from` and decodes them as `to` (to = from: reconstruction; otherwise the swap). */
  predict(faces: readonly FloatImage[], from: Identity, to: Identity): Promise<SwapPrediction[]>;
  dispose(): void;
  readonly project: SwapProject;
  readonly architecture: SwapArchitecture;
  /** Training steps the checkpoint has had. */
  readonly steps: number;
}

export const PREDICT_BATCH = 16;

/** Runs the networks on faces already at the model's size; pure tensor maths. */
export async function predictSwap(
  networks: SwapNetworks,
  faces: readonly FloatImage[],
  from: Identity,
  to: Identity,
): Promise<SwapPrediction[]> {
  const size = networks.architecture.size;
  const out: SwapPrediction[] = [];
  for (let start = 0; start < faces.length; start += PREDICT_BATCH) {
    const batch = faces.slice(start, start + PREDICT_BATCH);
    const packed = new Float32Array(batch.length * size * size * 3);
    batch.forEach((face, i) => {
      if (face.width !== size || face.height !== size || face.channels !== 3)
        throw new Error(
          `the swap model expects ${size}×${size}×3 faces, got ${face.width}×${face.height}×${face.channels}`,
        );
      packed.set(face.data, i * size * size * 3);
    });
    const decoded = tf.tidy(() => {
      const input = tf.tensor4d(packed, [batch.length, size, size, 3]);
      return networks.decode(to, networks.encode(from, input, false).code);
    });
    const values = (await decoded.data()) as Float32Array;
    decoded.dispose();
    const area = size * size;
    batch.forEach((_, i) => {
      const face = new Float32Array(area * 3);
      const mask = new Float32Array(area);
      const base = i * area * 4;
      for (let p = 0; p < area; p++) {
        face[p * 3] = values[base + p * 4]!;
        face[p * 3 + 1] = values[base + p * 4 + 1]!;
        face[p * 3 + 2] = values[base + p * 4 + 2]!;
        mask[p] = values[base + p * 4 + 3]!;
      }
      out.push({
        face: { width: size, height: size, channels: 3, data: face },
        mask: { width: size, height: size, channels: 1, data: mask },
      });
    });
  }
  return out;
}

export async function loadSwapModel(projectDir: string): Promise<SwapModel> {
  await initTensorflow();
  const project = await readSwapProject(projectDir);
  const { networks, state } = await loadCheckpoint(projectDir, project);
  return {
    project,
    architecture: networks.architecture,
    steps: state.step,
    predict: (faces, from, to) => predictSwap(networks, faces, from, to),
    dispose: () => networks.dispose(),
  };
}
