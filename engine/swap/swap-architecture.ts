/**
 * Sizes of the swap models, in one validated config. The defaults were chosen so that a recognisable swap trains
 * on 2 CPU cores in well under an hour (see docs/swap.md): faceswap's "Original" at a quarter of its encoder
 * widths and an eighth of its decoder widths, with DeepFaceLab Quick96's narrow dense bottleneck (128). A step of
 * the 64 px template at batch 8 per identity took 1.2 s on wasm (one core); quarter-width decoders took 2.1 s.
 */
export type SwapModelKind = 'template' | 'unit';
export type SwapFaceSize = 64 | 128;
export const SWAP_FACE_SIZES: readonly SwapFaceSize[] = [64, 128];

export interface SwapArchitecture {
  kind: SwapModelKind;
  /** Side of the aligned face the networks see and produce, pixels. */
  size: SwapFaceSize;
  /** Channels of each 5×5 stride-2 encoder convolution; the last one leaves a 4×4 map (size / 2^n = 4). */
  encoderWidths: number[];
  /** Units of the dense bottleneck (the identity-free code both decoders read). */
  latentDim: number;
  /** Channels of the 4×4 map the dense layer reshapes into, before the first Up block. */
  bottleneckChannels: number;
  /** Channels of the Up blocks (3×3 conv → PixelShuffle ×2): the first one is in the encoder (4→8), the rest in
   *  each decoder (8 → size). */
  upWidths: number[];
}

/** Encoder stages needed to go from `size` down to 4×4. */
function stagesFor(size: SwapFaceSize): number {
  return Math.log2(size / 4);
}

export function defaultSwapArchitecture(
  kind: SwapModelKind = 'template',
  size: SwapFaceSize = 64,
): SwapArchitecture {
  return size === 64
    ? {
        kind,
        size,
        encoderWidths: [32, 64, 128, 256],
        latentDim: 128,
        bottleneckChannels: 128,
        upWidths: [128, 64, 32, 16],
      }
    : {
        kind,
        size,
        encoderWidths: [32, 64, 128, 256, 256],
        latentDim: 128,
        bottleneckChannels: 128,
        upWidths: [128, 64, 32, 16, 8],
      };
}

/** Throws a RangeError naming the first inconsistency. */
export function validateSwapArchitecture(a: SwapArchitecture): SwapArchitecture {
  if (!SWAP_FACE_SIZES.includes(a.size)) throw new RangeError(`face size must be 64 or 128, got ${a.size}`);
  if (a.kind !== 'template' && a.kind !== 'unit') throw new RangeError(`unknown swap model '${a.kind}'`);
  const stages = stagesFor(a.size);
  if (a.encoderWidths.length !== stages)
    throw new RangeError(`a ${a.size} px encoder needs ${stages} conv widths, got ${a.encoderWidths.length}`);
  if (a.upWidths.length !== stages)
    throw new RangeError(`a ${a.size} px model needs ${stages} Up widths, got ${a.upWidths.length}`);
  for (const w of [...a.encoderWidths, ...a.upWidths, a.latentDim, a.bottleneckChannels]) {
    if (!(Number.isInteger(w) && w > 0))
      throw new RangeError(`layer widths must be positive integers, got ${w}`);
  }
  return a;
}

/** Output channels of every decoder: RGB (0..1) then the face mask (0..1). */
export const DECODER_CHANNELS = 4;
