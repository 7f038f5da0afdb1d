/**
 * Both swap models behind one interface, so one training loop, one renderer and one evaluator serve them:
 * `encode(identity, x)` gives the code a decoder reads, `decode(identity, code)` paints that identity.
 * Tensors in: faces S×S×3 in 0..1 (scaled to [-1, 1] here). Tensors out: S×S×4 (RGB + mask) in 0..1.
 */
import { tf } from '../runtime/tensorflow.ts';
import type { SwapArchitecture } from './swap-architecture.ts';
import { buildTemplateParts } from './template-model.ts';
import { buildUnitParts } from './unit-model.ts';

export type Identity = 'a' | 'b';
export const IDENTITIES: readonly Identity[] = ['a', 'b'];
export const other = (identity: Identity): Identity => (identity === 'a' ? 'b' : 'a');

export interface Encoded {
  /** What the decoder reads (template: 8×8×C map; UNIT: z = μ + ε while training, μ otherwise). */
  code: tf.Tensor;
  /** UNIT only: the latent mean, for the KL term. */
  mean?: tf.Tensor;
}

export interface SwapNetworks {
  readonly architecture: SwapArchitecture;
  /** Named parts, saved and loaded one folder each. */
  readonly parts: Readonly<Record<string, tf.LayersModel>>;
  encode(identity: Identity, faces01: tf.Tensor4D, training: boolean): Encoded;
  decode(identity: Identity, code: tf.Tensor): tf.Tensor4D;
  trainableVariables(): tf.Variable[];
  parameterCount(): number;
  dispose(): void;
}

const toSigned = (x: tf.Tensor4D) => x.mul(2).sub(1) as tf.Tensor4D;

function wrap(
  architecture: SwapArchitecture,
  parts: Record<string, tf.LayersModel>,
  encode: SwapNetworks['encode'],
  decode: SwapNetworks['decode'],
): SwapNetworks {
  const models = Object.values(parts);
  return {
    architecture,
    parts,
    encode,
    decode,
    trainableVariables: () => models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable)),
    parameterCount: () => models.reduce((n, m) => n + m.countParams(), 0),
    dispose: () => models.forEach((m) => m.dispose()),
  };
}

/** Wraps already built (or loaded) parts; `parts` must hold the names that the kind needs. */
export function swapNetworksFromParts(
  architecture: SwapArchitecture,
  parts: Record<string, tf.LayersModel>,
): SwapNetworks {
  const need = (name: string) => {
    const part = parts[name];
    if (!part) throw new Error(`swap model part '${name}' is missing`);
    return part;
  };
  const decoders = { a: need('decoder_a'), b: need('decoder_b') };
  const decode = (identity: Identity, code: tf.Tensor) =>
    decoders[identity].apply(code, { training: false }) as tf.Tensor4D;
  if (architecture.kind === 'template') {
    const encoder = need('encoder');
    return wrap(
      architecture,
      parts,
      (_identity, x) => ({ code: encoder.apply(toSigned(x)) as tf.Tensor }),
      decode,
    );
  }
  const encoders = { a: need('encoder_a'), b: need('encoder_b') };
  const shared = need('encoder_shared');
  const sharedDecoder = need('decoder_shared');
  return wrap(
    architecture,
    parts,
    (identity, x, training) => {
      const mean = shared.apply(encoders[identity].apply(toSigned(x))) as tf.Tensor;
      const z = training ? mean.add(tf.randomNormal(mean.shape)) : mean;
      return { code: z, mean };
    },
    (identity, z) => decode(identity, sharedDecoder.apply(z) as tf.Tensor),
  );
}

export function buildSwapNetworks(architecture: SwapArchitecture, seed = 1): SwapNetworks {
  const parts: Record<string, tf.LayersModel> =
    architecture.kind === 'template'
      ? { ...buildTemplateParts(architecture, seed) }
      : { ...buildUnitParts(architecture, seed) };
  return swapNetworksFromParts(architecture, parts);
}
