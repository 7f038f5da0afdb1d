/**
 * The manipulation detector behind the one model interface: `loadDetector()` → `{ predict, dispose }`.
 * Stage contract: takes aligned face crops (FloatImage, inputSize×inputSize×3, 0..1), returns per crop a
 * raw logit, a calibrated probability of manipulation and a blend-boundary map (b×b, 0..1).
 */
import type { FloatImage, Resampling } from '../imaging/float-image.ts';
import { loadLayersModel, type ModelManifest } from '../models/layers-model-io.ts';
import { modelDir } from '../runtime/paths.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { applyCalibration, IDENTITY_CALIBRATION, type PlattCalibration } from './calibration.ts';
import {
  boundaryMapSize,
  DEFAULT_DETECTOR_ARCHITECTURE,
  type DetectorArchitecture,
} from './detector-network.ts';

export interface DetectorConfig {
  /** Folder with model.json, weights.bin and manifest.json. */
  modelDir: string;
  /** Crops per forward pass. */
  batchSize: number;
}

export const DEFAULT_DETECTOR_CONFIG: DetectorConfig = {
  modelDir: modelDir('detector'),
  batchSize: 16,
};

export interface DetectorPrediction {
  logit: number;
  probability: number;
  /** Row-major b×b map of blend-boundary probability. */
  boundary: Float32Array;
}

/** What the detector's manifest metadata carries. */
export interface DetectorMetadata {
  name: string;
  version: string;
  architecture: DetectorArchitecture;
  calibration: PlattCalibration;
  /**
   * How training crops were aligned and resampled; scanning must crop alike (see detector-crop.ts). Models
   * trained before resampling was recorded were bilinear.
   */
  crop: { alignedSize: number; margin: number; resampling: Resampling };
}

export interface DetectorModel {
  predict(crops: readonly FloatImage[]): Promise<DetectorPrediction[]>;
  dispose(): void;
  readonly metadata: DetectorMetadata;
  readonly manifest: ModelManifest;
  readonly backend: string;
}

export function detectorMetadataFrom(manifest: ModelManifest): DetectorMetadata {
  const meta = manifest.metadata as Partial<DetectorMetadata>;
  return {
    name: meta.name ?? 'unmask-detector',
    version: meta.version ?? '0',
    architecture: meta.architecture ?? DEFAULT_DETECTOR_ARCHITECTURE,
    calibration: meta.calibration ?? IDENTITY_CALIBRATION,
    crop: {
      alignedSize: (meta.architecture ?? DEFAULT_DETECTOR_ARCHITECTURE).inputSize,
      margin: 0.15,
      ...meta.crop,
      resampling: meta.crop?.resampling ?? 'bilinear',
    },
  };
}

/** Runs the network on crops already resized to the input size; pure tensor maths, no I/O. */
export async function predictWithNetwork(
  network: tf.LayersModel,
  architecture: DetectorArchitecture,
  calibration: PlattCalibration,
  crops: readonly FloatImage[],
  batchSize: number,
): Promise<DetectorPrediction[]> {
  const size = architecture.inputSize;
  const mapSize = boundaryMapSize(architecture);
  const results: DetectorPrediction[] = [];
  for (let start = 0; start < crops.length; start += batchSize) {
    const batch = crops.slice(start, start + batchSize);
    const packed = new Float32Array(batch.length * size * size * 3);
    batch.forEach((crop, i) => {
      if (crop.width !== size || crop.height !== size || crop.channels !== 3) {
        throw new Error(
          `detector expects ${size}×${size}×3 crops, got ${crop.width}×${crop.height}×${crop.channels}`,
        );
      }
      packed.set(crop.data, i * size * size * 3);
    });
    const [logits, maps] = tf.tidy(() => {
      const input = tf.tensor4d(packed, [batch.length, size, size, 3]).mul(2).sub(1);
      const [logit, boundary] = network.predict(input) as [tf.Tensor, tf.Tensor];
      return [logit.reshape([batch.length]), tf.sigmoid(boundary).reshape([batch.length, mapSize * mapSize])];
    });
    const logitValues = await logits.data();
    const mapValues = await maps.data();
    logits.dispose();
    maps.dispose();
    batch.forEach((_, i) => {
      const logit = logitValues[i]!;
      results.push({
        logit,
        probability: applyCalibration(calibration, logit),
        boundary: Float32Array.from(mapValues.subarray(i * mapSize * mapSize, (i + 1) * mapSize * mapSize)),
      });
    });
  }
  return results;
}

export async function loadDetector(config: Partial<DetectorConfig> = {}): Promise<DetectorModel> {
  const resolved = { ...DEFAULT_DETECTOR_CONFIG, ...config };
  const { backend } = await initTensorflow();
  const { model, manifest } = await loadLayersModel(resolved.modelDir);
  const metadata = detectorMetadataFrom(manifest);
  return {
    metadata,
    manifest,
    backend,
    predict: (crops) =>
      predictWithNetwork(model, metadata.architecture, metadata.calibration, crops, resolved.batchSize),
    dispose: () => model.dispose(),
  };
}
