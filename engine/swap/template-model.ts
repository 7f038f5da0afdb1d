/**
 * The template swap model — read this file first. It is the classic deepfake autoencoder (faceswap's
 * `plugins/train/model/original.py`), sized for a CPU:
 *
 *   aligned face x, S×S×3, scaled to [-1, 1]
 *     │ ENCODER (shared by both identities; it must describe a face in identity-free terms)
 *     │   Conv(w) = 5×5 conv, stride 2, LeakyReLU 0.1         S → S/2 → … → 4 (64 px: 4 convs 32/64/128/256)
 *     │   flatten → Dense(latentDim)                          the bottleneck: pose, expression, lighting
 *     │   Dense(4·4·bottleneckChannels) → reshape 4×4×C
 *     │   Up(w) = 3×3 conv to 4·w, LeakyReLU 0.1, PixelShuffle ×2     4×4 → 8×8
 *     ▼   code z: 8×8×upWidths[0]
 *     │ DECODER A and DECODER B (one per identity; each learns to paint only its own person)
 *     │   Up(w) blocks                                        8 → 16 → … → S
 *     │   5×5 conv → 3 channels, sigmoid: the face (RGB 0..1)
 *     │   5×5 conv → 1 channel,  sigmoid: the face mask (where the face is; used to blend)
 *     ▼   concatenated: S×S×4
 *
 * Training reconstructs A's faces with decoder A and B's faces with decoder B through the one encoder. Because the
 * encoder is shared, z has to mean the same thing for both people, so decoding A's code with decoder B draws B
 * with A's pose and expression: the swap. Random warping of the inputs (see random-warp.ts) stops the networks
 * from copying pixels and forces them to learn faces.
 *
 * Differences from faceswap's Original (64 px, ~70M + 2×6M parameters): encoder convs 128/256/512/1024 → 32/64/
 * 128/256, dense 1024 → 128 (Quick96's width), 4×4×1024 → 4×4×128, Up 512 → 128, decoder Ups 256/128/64 →
 * 64/32/16: 3.2M parameters in all at 64 px, so a step takes about a second on wasm; 128 px adds one conv and one
 * Up stage.
 */
import { tf } from '../runtime/tensorflow.ts';
import { PixelShuffle } from './pixel-shuffle.ts';
import { DECODER_CHANNELS, validateSwapArchitecture, type SwapArchitecture } from './swap-architecture.ts';

type Sym = tf.SymbolicTensor;

/** Deterministic initialiser per layer so a seed reproduces a model exactly. */
function init(seed: number, k: number) {
  return tf.initializers.heNormal({ seed: seed * 7919 + k });
}

/** 5×5 stride-2 conv + LeakyReLU 0.1: halves the map. */
export function downBlock(x: Sym, filters: number, name: string, seed: number, k: number): Sym {
  const conv = tf.layers.conv2d({
    filters,
    kernelSize: 5,
    strides: 2,
    padding: 'same',
    kernelInitializer: init(seed, k),
    name: `${name}_conv`,
  });
  return tf.layers.leakyReLU({ alpha: 0.1, name: `${name}_act` }).apply(conv.apply(x)) as Sym;
}

/** 3×3 conv to 4·filters + LeakyReLU 0.1 + PixelShuffle: doubles the map. */
export function upBlock(x: Sym, filters: number, name: string, seed: number, k: number): Sym {
  const conv = tf.layers.conv2d({
    filters: filters * 4,
    kernelSize: 3,
    padding: 'same',
    kernelInitializer: init(seed, k),
    name: `${name}_conv`,
  });
  const act = tf.layers.leakyReLU({ alpha: 0.1, name: `${name}_act` }).apply(conv.apply(x)) as Sym;
  return new PixelShuffle({ name: `${name}_shuffle` }).apply(act) as Sym;
}

/** Flatten → Dense(latent) → Dense(4·4·C) → reshape → Up: the bottleneck, from a 4×4 map to the 8×8 code. */
export function bottleneck(x: Sym, a: SwapArchitecture, prefix: string, seed: number, k: number): Sym {
  const flat = tf.layers.flatten({ name: `${prefix}_flatten` }).apply(x) as Sym;
  const latent = latentDense(flat, a, prefix, seed, k);
  return expandLatent(latent, a, prefix, seed, k + 1);
}

export function latentDense(flat: Sym, a: SwapArchitecture, prefix: string, seed: number, k: number): Sym {
  return tf.layers
    .dense({
      units: a.latentDim,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 7919 + k }),
      name: `${prefix}_latent`,
    })
    .apply(flat) as Sym;
}

/** Dense(4·4·C) → reshape 4×4×C → Up(upWidths[0]): the 8×8 code. */
export function expandLatent(latent: Sym, a: SwapArchitecture, prefix: string, seed: number, k: number): Sym {
  const c = a.bottleneckChannels;
  const dense = tf.layers
    .dense({
      units: 4 * 4 * c,
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 7919 + k }),
      name: `${prefix}_expand`,
    })
    .apply(latent) as Sym;
  const map = tf.layers.reshape({ targetShape: [4, 4, c], name: `${prefix}_reshape` }).apply(dense) as Sym;
  return upBlock(map, a.upWidths[0]!, `${prefix}_up0`, seed, k + 1);
}

/** Decoder: Up blocks from 8×8 to S×S, then an RGB head and a mask head (both 5×5, sigmoid) → S×S×4. */
export function buildDecoder(a: SwapArchitecture, name: string, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, a.upWidths[0]!], name: `${name}_code` });
  let x: Sym = input;
  a.upWidths.slice(1).forEach((w, i) => (x = upBlock(x, w, `${name}_up${i + 1}`, seed, 100 + i)));
  const head = (filters: number, suffix: string, k: number) =>
    tf.layers
      .conv2d({
        filters,
        kernelSize: 5,
        padding: 'same',
        activation: 'sigmoid',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed * 7919 + k }),
        name: `${name}_${suffix}`,
      })
      .apply(x) as Sym;
  const rgb = head(3, 'rgb', 200);
  const mask = head(1, 'mask', 201);
  const out = tf.layers.concatenate({ axis: -1, name: `${name}_out` }).apply([rgb, mask]) as Sym;
  if (out.shape[3] !== DECODER_CHANNELS) throw new Error('decoder must output 4 channels');
  return tf.model({ inputs: input, outputs: out, name });
}

/** The shared encoder: S×S×3 in [-1, 1] → 8×8×upWidths[0]. */
export function buildTemplateEncoder(a: SwapArchitecture, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [a.size, a.size, 3], name: 'encoder_face' });
  let x: Sym = input;
  a.encoderWidths.forEach((w, i) => (x = downBlock(x, w, `encoder_down${i}`, seed, i)));
  return tf.model({ inputs: input, outputs: bottleneck(x, a, 'encoder', seed, 10), name: 'encoder' });
}

export interface TemplateParts {
  encoder: tf.LayersModel;
  decoder_a: tf.LayersModel;
  decoder_b: tf.LayersModel;
}

export function buildTemplateParts(architecture: SwapArchitecture, seed = 1): TemplateParts {
  const a = validateSwapArchitecture(architecture);
  return {
    encoder: buildTemplateEncoder(a, seed),
    decoder_a: buildDecoder(a, 'decoder_a', seed * 3 + 1),
    decoder_b: buildDecoder(a, 'decoder_b', seed * 3 + 2),
  };
}
