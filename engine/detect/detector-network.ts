/**
 * The detector network, written to be read first (like faceswap's "original" model).
 *
 *   aligned face crop, S×S×3 in [-1, 1]
 *     │  stage 1..N: [3×3 conv stride 2 → BN → ReLU → 3×3 conv → BN → ReLU], halving the size each stage
 *     ├─ after stage `boundaryStage` (S/2^k × S/2^k): 1×1 conv → blend-boundary logits, one channel.
 *     │    Trained on the known SBI masks (4·M·(1−M)), so the map shown to users is supervised: it marks
 *     │    where the model believes two images were blended, not an unsupervised saliency.
 *     └─ global average pool → dropout → dense(1) → manipulation logit (calibrated later by Platt scaling).
 *
 * Plain 3×3 convolutions only: they trained on every backend when wasm had no depthwise backprop kernels (it has
 * ours now, ../runtime/wasm-kernels), and XNNPACK runs them fast. Sizes were chosen by measurement on 2 CPU cores;
 * see the model card.
 */
import { tf } from '../runtime/tensorflow.ts';

export interface DetectorArchitecture {
  /**
   * 'plain' (default): the small CNN below, trained from scratch. 'mobilenet-v2': a MobileNetV2 initialised
   * from the ImageNet-derived weights inside nsfwjs (mobilenet-backbone.ts); `widths` is then unused.
   */
  backbone?: 'plain' | 'mobilenet-v2';
  inputSize: number;
  /** Channel width of each stride-2 stage. */
  widths: readonly number[];
  /** 1-based stage whose output feeds the boundary head; its size is inputSize / 2^boundaryStage. */
  boundaryStage: number;
  dropout: number;
}

/**
 * The shipped detector's shape. 96 px, not 128: the 128 px candidate of the same recipe flagged 3 of the 15 real
 * clips (codec-smoothed skin looks blended at that size) against none (resources/models/detector/model-card.md).
 */
export const DEFAULT_DETECTOR_ARCHITECTURE: DetectorArchitecture = {
  inputSize: 96,
  widths: [24, 32, 48, 64, 96],
  boundaryStage: 3,
  dropout: 0.2,
};

export const LOGIT_OUTPUT = 'manipulation_logit';
export const BOUNDARY_OUTPUT = 'boundary_logits';

export function boundaryMapSize(architecture: DetectorArchitecture): number {
  return architecture.inputSize / 2 ** architecture.boundaryStage;
}

function convBlock(
  x: tf.SymbolicTensor,
  filters: number,
  strides: number,
  name: string,
  seed: number,
): tf.SymbolicTensor {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize: 3,
    strides,
    padding: 'same',
    useBias: false,
    kernelInitializer: tf.initializers.glorotUniform({ seed }),
    name: `${name}_conv`,
  });
  const bn = tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 });
  const relu = tf.layers.reLU({ name: `${name}_relu` });
  return relu.apply(bn.apply(conv.apply(x))) as tf.SymbolicTensor;
}

/** Builds an untrained two-head detector. Outputs: [logit (N×1), boundary logits (N×b×b×1)]. */
export function buildDetectorNetwork(
  architecture: DetectorArchitecture = DEFAULT_DETECTOR_ARCHITECTURE,
  seed = 1,
): tf.LayersModel {
  const { inputSize, widths, boundaryStage } = architecture;
  if (inputSize % 2 ** widths.length !== 0)
    throw new Error(`inputSize ${inputSize} must be divisible by 2^${widths.length}`);
  if (boundaryStage < 1 || boundaryStage > widths.length) throw new Error('boundaryStage out of range');
  const input = tf.input({ shape: [inputSize, inputSize, 3], name: 'face' });
  let x: tf.SymbolicTensor = input;
  let boundary: tf.SymbolicTensor | undefined;
  widths.forEach((width, i) => {
    x = convBlock(x, width, 2, `stage${i + 1}_down`, seed * 1000 + i * 2);
    x = convBlock(x, width, 1, `stage${i + 1}_refine`, seed * 1000 + i * 2 + 1);
    if (i + 1 === boundaryStage) {
      boundary = tf.layers
        .conv2d({
          filters: 1,
          kernelSize: 1,
          padding: 'same',
          name: BOUNDARY_OUTPUT,
          kernelInitializer: 'glorotUniform',
        })
        .apply(x) as tf.SymbolicTensor;
    }
  });
  let pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
  pooled = tf.layers
    .dropout({ rate: architecture.dropout, name: 'dropout' })
    .apply(pooled) as tf.SymbolicTensor;
  const logit = tf.layers
    .dense({
      units: 1,
      name: LOGIT_OUTPUT,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 901 }),
    })
    .apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: [logit, boundary!], name: 'unmask_detector' });
}

/** Builds an untrained detector of either backbone (MobileNetV2 loads its initial weights, hence async). */
export async function createDetectorNetwork(
  architecture: DetectorArchitecture = DEFAULT_DETECTOR_ARCHITECTURE,
  seed = 1,
): Promise<tf.LayersModel> {
  if (architecture.backbone === 'mobilenet-v2') {
    const { buildMobileNetDetector } = await import('./mobilenet-backbone.ts');
    return buildMobileNetDetector(architecture, seed);
  }
  return buildDetectorNetwork(architecture, seed);
}

/** Maps uint8-range or 0..1 crops to the network's [-1, 1] input. */
export function toNetworkInput(crops01: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => crops01.mul(2).sub(1));
}
