/**
 * A MobileNetV2 backbone initialised from weights that ship inside an npm package: nsfwjs@4 bundles a Keras
 * MobileNetV2 (α = 1.0, 224² input) fine-tuned from ImageNet, as a tfjs layers model with uint8-quantised
 * weights in `dist/models/mobilenet_v2/`. Nothing is downloaded.
 *
 *   face crop S×S×3 in [-1, 1] → rescaled to [0, 1] (nsfwjs's input range) → MobileNetV2 up to `out_relu`
 *     ├─ `block_5_add` (S/8 × S/8 × 32) → 1×1 conv → blend-boundary logits (as boundaryStage 3 of the plain net)
 *     └─ `out_relu` (S/32 × S/32 × 1280) → global average pool → dropout → dense(1) → manipulation logit
 *
 * The classifier on top of `out_relu` is dropped; every convolution is size-agnostic, so S may be any multiple
 * of 32. Batch normalisation keeps the pretrained statistics during training (see `frozenBatchNorm` in
 * detector-loss.ts): with 16–32 crops per worker, batch statistics would be noisy and would differ between the
 * data-parallel workers.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { BOUNDARY_OUTPUT, LOGIT_OUTPUT, type DetectorArchitecture } from './detector-network.ts';

const require = createRequire(import.meta.url);

/** Where the boundary head taps the backbone (stride 8) and where the features end (stride 32). */
const BOUNDARY_TAP = 'block_5_add';
const FEATURES = 'out_relu';

/** nsfwjs's MobileNetV2 folder inside node_modules. */
export function nsfwjsMobileNetDir(): string {
  try {
    // dist/cjs/index.js → dist/models/mobilenet_v2
    return join(dirname(require.resolve('nsfwjs')), '..', 'models', 'mobilenet_v2');
  } catch (error) {
    throw new UnmaskError(
      'modelLoadFailed',
      'The MobileNetV2 initial weights ship in the npm package nsfwjs, which is not installed (npm install).',
      { cause: error },
    );
  }
}

interface KerasLayer {
  class_name: string;
  name?: string;
  config: Record<string, unknown> & { name: string };
  inbound_nodes: unknown[];
}

/** The pretrained backbone as a tfjs model with input S×S×3 in [-1, 1] and outputs [boundary tap, features]. */
export async function loadMobileNetV2Backbone(inputSize: number): Promise<tf.LayersModel> {
  const dir = nsfwjsMobileNetDir();
  const artifacts = require(join(dir, 'model.min.js')) as {
    modelTopology: {
      model_config: { config: { layers: KerasLayer[]; input_layers: unknown; output_layers: unknown } };
    };
    weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  };
  const weightsBase64 = require(join(dir, 'group1-shard1of1.min.js')) as string;
  const topology = structuredClone(artifacts.modelTopology);
  const config = topology.model_config.config;
  const end = config.layers.findIndex((l) => l.config.name === FEATURES);
  if (end < 0) throw new UnmaskError('modelLoadFailed', `nsfwjs's MobileNetV2 has no ${FEATURES} layer`);
  const [input, ...rest] = config.layers.slice(0, end + 1);
  input!.config['batch_input_shape'] = [null, inputSize, inputSize, 3];
  // [-1, 1] → [0, 1] before the first convolution.
  const rescale: KerasLayer = {
    class_name: 'Rescaling',
    name: 'to_unit_range',
    config: { name: 'to_unit_range', scale: 0.5, offset: 0.5, trainable: false },
    inbound_nodes: [[[input!.config.name, 0, 0, {}]]],
  };
  const rewired = rest.map((layer) => ({
    ...layer,
    config: { ...layer.config, trainable: true },
    inbound_nodes: JSON.parse(
      JSON.stringify(layer.inbound_nodes).replaceAll(`["${input!.config.name}",`, `["to_unit_range",`),
    ) as unknown[],
  }));
  config.layers = [input!, rescale, ...rewired];
  config.output_layers = [
    [BOUNDARY_TAP, 0, 0],
    [FEATURES, 0, 0],
  ];
  const weightSpecs = artifacts.weightsManifest.flatMap((group) => group.weights);
  const weightData = new Uint8Array(Buffer.from(weightsBase64, 'base64')).buffer;
  // strict: false, since the dropped classifier's weights are still in the file.
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs, weightData }), {
    strict: false,
  });
}

/** The two-head detector on the pretrained MobileNetV2 (see the file comment). */
export async function buildMobileNetDetector(
  architecture: DetectorArchitecture,
  seed: number,
): Promise<tf.LayersModel> {
  if (architecture.inputSize % 32 !== 0)
    throw new Error(`MobileNetV2 input size ${architecture.inputSize} must be a multiple of 32`);
  const backbone = await loadMobileNetV2Backbone(architecture.inputSize);
  const [tap, features] = backbone.outputs as [tf.SymbolicTensor, tf.SymbolicTensor];
  const boundary = tf.layers
    .conv2d({
      filters: 1,
      kernelSize: 1,
      padding: 'same',
      name: BOUNDARY_OUTPUT,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 1000 + 902 }),
    })
    .apply(tap) as tf.SymbolicTensor;
  let pooled = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(features) as tf.SymbolicTensor;
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
  return tf.model({
    inputs: backbone.inputs,
    outputs: [logit, boundary],
    name: 'unmask_detector_mobilenet_v2',
  });
}

/** Reads a file of nsfwjs's for the model card's provenance line. */
export function nsfwjsVersion(): string {
  const pkg = join(nsfwjsMobileNetDir(), '..', '..', '..', 'package.json');
  return (JSON.parse(readFileSync(pkg, 'utf8')) as { version: string }).version;
}
