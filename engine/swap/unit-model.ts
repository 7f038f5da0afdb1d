/**
 * The UNIT-style variant (Liu, Breuel & Kautz, "Unsupervised Image-to-Image Translation Networks", NIPS 2017),
 * written as a change to the template model (template-model.ts):
 *
 *   x_A ─ encoder_a (private convs) ─┐                           ┌─ decoder_a (private Ups + heads) → A
 *                                    ├─ encoder_shared ─ μ ─ z ─ decoder_shared ┤
 *   x_B ─ encoder_b (private convs) ─┘   (last conv + dense)  │   (dense + first Up) └─ decoder_b → B
 *                                                           z = μ + ε,  ε ~ N(0, I) while training
 *
 * - The last encoder layers and the first generator layers are shared: the "shared latent space" assumption.
 * - The latent is Gaussian: UNIT's encoder outputs the mean μ and adds unit-variance noise; the KL term of a
 *   unit-variance Gaussian against N(0, I) reduces to ½·mean(μ²) up to a constant (UNIT's `__compute_kl`).
 * - Optional cycle reconstruction: A → z → decoder_b → encoder_b → z' → decoder_a ≈ A (and likewise for B).
 * - UNIT's GAN terms are left out: a discriminator doubles the cost of a step, which a CPU budget cannot carry.
 *
 * A swap encodes with the source identity's private encoder and decodes with the other identity's decoder.
 */
import { tf } from '../runtime/tensorflow.ts';
import { buildDecoder, downBlock, expandLatent, latentDense } from './template-model.ts';
import { validateSwapArchitecture, type SwapArchitecture } from './swap-architecture.ts';

type Sym = tf.SymbolicTensor;

export interface UnitParts {
  encoder_a: tf.LayersModel;
  encoder_b: tf.LayersModel;
  encoder_shared: tf.LayersModel;
  decoder_shared: tf.LayersModel;
  decoder_a: tf.LayersModel;
  decoder_b: tf.LayersModel;
}

/** Private encoder: every conv stage but the last (S → 8×8). */
function buildPrivateEncoder(a: SwapArchitecture, name: string, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [a.size, a.size, 3], name: `${name}_face` });
  let x: Sym = input;
  a.encoderWidths.slice(0, -1).forEach((w, i) => (x = downBlock(x, w, `${name}_down${i}`, seed, i)));
  return tf.model({ inputs: input, outputs: x, name });
}

/** Shared encoder tail: the last conv (8 → 4) and the dense layer that gives μ. */
function buildSharedEncoder(a: SwapArchitecture, seed: number): tf.LayersModel {
  const widths = a.encoderWidths;
  const input = tf.input({ shape: [8, 8, widths.at(-2)!], name: 'encoder_shared_in' });
  const last = downBlock(input, widths.at(-1)!, 'encoder_shared_down', seed, 20);
  const flat = tf.layers.flatten({ name: 'encoder_shared_flatten' }).apply(last) as Sym;
  return tf.model({
    inputs: input,
    outputs: latentDense(flat, a, 'encoder_shared', seed, 21),
    name: 'encoder_shared',
  });
}

/** Shared generator head: dense → 4×4 → first Up (4 → 8). */
function buildSharedDecoder(a: SwapArchitecture, seed: number): tf.LayersModel {
  const input = tf.input({ shape: [a.latentDim], name: 'decoder_shared_z' });
  return tf.model({
    inputs: input,
    outputs: expandLatent(input, a, 'decoder_shared', seed, 30),
    name: 'decoder_shared',
  });
}

export function buildUnitParts(architecture: SwapArchitecture, seed = 1): UnitParts {
  const a = validateSwapArchitecture(architecture);
  return {
    encoder_a: buildPrivateEncoder(a, 'encoder_a', seed * 5 + 1),
    encoder_b: buildPrivateEncoder(a, 'encoder_b', seed * 5 + 2),
    encoder_shared: buildSharedEncoder(a, seed * 5 + 3),
    decoder_shared: buildSharedDecoder(a, seed * 5 + 4),
    decoder_a: buildDecoder(a, 'decoder_a', seed * 3 + 1),
    decoder_b: buildDecoder(a, 'decoder_b', seed * 3 + 2),
  };
}
