/**
 * `evaluateSwap`: what a trained project achieves, measured on its held-out faces (the last 10 % of each source
 * in time, never trained on):
 *
 * - reconstruction: SSIM of X→X against the original, over the 7×7 windows centred inside the face hull (the
 *   background is not modelled, so it is not scored), at the model's size;
 * - identity transfer: with the `faceres` face-recognition model, is each X→Y swap (colour-matched and blended
 *   into the X crop, as rendering does) closer to Y's identity centroid than to X's? Centroids come from all of
 *   each identity's real faces. Reconstructions X→X are scored alike as a control. Judged twice: on the whole
 *   crop (hair, ears, jaw line and background stay X's, as in every autoencoder swap) and on the inner face
 *   only (outside the face hull painted neutral grey, in the centroids' faces too) — the part a swap replaces;
 * - reconstruction error as a forensic signal: an autoencoder trained on a video's real identities should
 *   reconstruct real faces of them well; does it reconstruct swapped faces worse? Score = 1 − hull SSIM of X→X
 *   applied to a face; real = held-out faces of X, fake = swaps Y→X of held-out faces of Y; ROC AUC.
 */
import { createFloatImage, type FloatImage } from '../imaging/float-image.ts';
import { rocAuc } from '../detect/metrics.ts';
import type { ProgressListener } from '../util/progress.ts';
import { featherMask, transferColourLab } from './blend.ts';
import { centroid, cosine, loadFaceEmbedder } from './face-embedding.ts';
import { faceFromStack } from './preview.ts';
import { DEFAULT_BLEND, type BlendOptions } from './render-swap.ts';
import { ssim } from './ssim.ts';
import { loadSwapModel, type SwapModel, type SwapPrediction } from './swap-model.ts';
import { IDENTITIES, other, type Identity } from './swap-networks.ts';
import { readFaceSet, type LoadedFaceSet } from './swap-project.ts';

export interface IdentityTransfer {
  /** Swaps X→Y closer to Y's centroid than to X's. */
  swapsCloserToTarget: number;
  /** Reconstructions X→X closer to X's centroid than to Y's (control). */
  reconstructionsCloserToSelf: number;
  meanCosineToTarget: number;
  meanCosineToSource: number;
}

export interface SwapEvaluation {
  steps: number;
  model: string;
  heldOutFaces: Record<Identity, number>;
  reconstructionSsim: Record<Identity, number>;
  /** Judged on the whole aligned crop (the swap composited into the source crop). */
  identityTransfer: Record<Identity, IdentityTransfer>;
  /** Judged on the inner face only: everything outside the source's face hull painted grey. */
  innerFaceIdentityTransfer: Record<Identity, IdentityTransfer>;
  /** Identity centroids' own cosine similarity (how alike the two people look to the recogniser). */
  centroidCosine: number;
  forensic: { auc: number; realMeanError: number; fakeMeanError: number; real: number; fake: number };
}

function hullMask(set: LoadedFaceSet, index: number): FloatImage {
  const size = set.size;
  const mask = createFloatImage(size, size, 1);
  const base = index * size * size * 5;
  for (let p = 0; p < size * size; p++) mask.data[p] = set.stacked[base + p * 5 + 3]! > 127 ? 1 : 0;
  return mask;
}

/** The prediction colour-matched and blended into `original` with its feathered mask (render's crop-level blend). */
export function compositeInCrop(
  original: FloatImage,
  prediction: SwapPrediction,
  blend: BlendOptions,
): FloatImage {
  const size = original.width;
  const colour = transferColourLab(prediction.face, original, prediction.mask);
  const alpha = featherMask(
    prediction.mask,
    Math.max(1, Math.round(blend.erode * size)),
    blend.feather * size,
  );
  const out = createFloatImage(size, size, 3);
  for (let p = 0; p < size * size; p++) {
    const a = alpha.data[p]!;
    for (let c = 0; c < 3; c++)
      out.data[p * 3 + c] = a * colour.data[p * 3 + c]! + (1 - a) * original.data[p * 3 + c]!;
  }
  return out;
}

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / Math.max(1, values.length);

/** The face with everything outside its hull painted neutral grey (what an autoencoder swap replaces). */
export function innerFace(face: FloatImage, hull: FloatImage): FloatImage {
  const out = createFloatImage(face.width, face.height, 3);
  for (let p = 0; p < face.width * face.height; p++) {
    const inside = hull.data[p]! > 0.5;
    for (let c = 0; c < 3; c++) out.data[p * 3 + c] = inside ? face.data[p * 3 + c]! : 0.5;
  }
  return out;
}

/** How often, and how strongly, swaps X→Y sit nearer Y's centroid than X's; reconstructions X→X as the control. */
export function identityTransferOf(
  swapEmbeddings: readonly Float32Array[],
  ownEmbeddings: readonly Float32Array[],
  source: Float32Array,
  target: Float32Array,
): IdentityTransfer {
  return {
    swapsCloserToTarget: mean(swapEmbeddings.map((e) => (cosine(e, target) > cosine(e, source) ? 1 : 0))),
    reconstructionsCloserToSelf: mean(
      ownEmbeddings.map((e) => (cosine(e, source) > cosine(e, target) ? 1 : 0)),
    ),
    meanCosineToTarget: mean(swapEmbeddings.map((e) => cosine(e, target))),
    meanCosineToSource: mean(swapEmbeddings.map((e) => cosine(e, source))),
  };
}

export async function evaluateSwap(
  projectDir: string,
  onProgress: ProgressListener = () => undefined,
): Promise<SwapEvaluation> {
  const model: SwapModel = await loadSwapModel(projectDir);
  const embedder = await loadFaceEmbedder();
  try {
    const sets = {
      a: await readFaceSet(projectDir, model.project, 'a'),
      b: await readFaceSet(projectDir, model.project, 'b'),
    };
    const faces = (set: LoadedFaceSet, indices: readonly number[]) =>
      indices.map((i) => faceFromStack(set.stacked, set.size, i));
    const centroids = {} as Record<Identity, Float32Array>;
    const innerCentroids = {} as Record<Identity, Float32Array>;
    for (const identity of IDENTITIES) {
      const set = sets[identity];
      const all = set.entries.map((_, i) => i);
      onProgress({
        stage: 'embed',
        done: 0,
        total: all.length,
        detail: `identity ${identity.toUpperCase()}`,
      });
      const crops = faces(set, all);
      centroids[identity] = centroid(await embedder.predict(crops));
      innerCentroids[identity] = centroid(
        await embedder.predict(crops.map((crop, i) => innerFace(crop, hullMask(set, i)))),
      );
    }
    const reconstructionSsim = {} as Record<Identity, number>;
    const identityTransfer = {} as Record<Identity, IdentityTransfer>;
    const innerFaceIdentityTransfer = {} as Record<Identity, IdentityTransfer>;
    const heldOutFaces = {} as Record<Identity, number>;
    const swapsInto: Record<Identity, FloatImage[]> = { a: [], b: [] };
    const realErrors: number[] = [];
    for (const identity of IDENTITIES) {
      const set = sets[identity];
      const target = other(identity);
      const originals = faces(set, set.heldOut);
      heldOutFaces[identity] = originals.length;
      const own = await model.predict(originals, identity, identity);
      const swapped = await model.predict(originals, identity, target);
      const scores = originals.map((original, k) =>
        ssim(own[k]!.face, original, hullMask(set, set.heldOut[k]!)),
      );
      reconstructionSsim[identity] = mean(scores);
      realErrors.push(...scores.map((s) => 1 - s));
      const swapComposites = originals.map((o, k) => compositeInCrop(o, swapped[k]!, DEFAULT_BLEND));
      const ownComposites = originals.map((o, k) => compositeInCrop(o, own[k]!, DEFAULT_BLEND));
      swapsInto[target] = swapComposites;
      identityTransfer[identity] = identityTransferOf(
        await embedder.predict(swapComposites),
        await embedder.predict(ownComposites),
        centroids[identity],
        centroids[target],
      );
      const hulls = set.heldOut.map((i) => hullMask(set, i));
      innerFaceIdentityTransfer[identity] = identityTransferOf(
        await embedder.predict(swapComposites.map((c, k) => innerFace(c, hulls[k]!))),
        await embedder.predict(ownComposites.map((c, k) => innerFace(c, hulls[k]!))),
        innerCentroids[identity],
        innerCentroids[target],
      );
      onProgress({
        stage: 'evaluate',
        done: identity === 'a' ? 1 : 2,
        total: 3,
        detail: `identity ${identity.toUpperCase()}`,
      });
    }
    // Forensic signal: reconstruct the swaps *into* X with X's own autoencoder path.
    const fakeErrors: number[] = [];
    for (const identity of IDENTITIES) {
      const fakes = swapsInto[identity];
      const sourceSet = sets[other(identity)];
      const recon = await model.predict(fakes, identity, identity);
      fakes.forEach((fake, k) =>
        fakeErrors.push(1 - ssim(recon[k]!.face, fake, hullMask(sourceSet, sourceSet.heldOut[k]!))),
      );
    }
    onProgress({ stage: 'evaluate', done: 3, total: 3 });
    const auc = rocAuc([
      ...realErrors.map((score) => ({ score, label: 0 as const })),
      ...fakeErrors.map((score) => ({ score, label: 1 as const })),
    ]);
    return {
      steps: model.steps,
      model: `${model.architecture.kind} ${model.architecture.size} px`,
      heldOutFaces,
      reconstructionSsim,
      identityTransfer,
      innerFaceIdentityTransfer,
      centroidCosine: cosine(centroids.a, centroids.b),
      forensic: {
        auc,
        realMeanError: mean(realErrors),
        fakeMeanError: mean(fakeErrors),
        real: realErrors.length,
        fake: fakeErrors.length,
      },
    };
  } finally {
    embedder.dispose();
    model.dispose();
  }
}
