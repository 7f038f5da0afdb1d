/**
 * Chooses the pairs of each training step. Pure: driven by a seeded Random.
 *
 * - Supervised pairs come from a labelled dataset: one real face and one deepfake *of the same source* (the same
 *   `pair`), so the network must tell a face from its own fake, not one person or room from another. Sources are
 *   drawn uniformly, so a source with many fakes is not seen more often.
 * - Self-blended pairs come from every real training face. Footage reals (video/photo banks, no labels) and
 *   dataset reals are drawn half and half when both exist, so a large dataset does not drown the footage that
 *   teaches the detector what real video looks like.
 */
import type { FaceBank } from './face-bank.ts';
import type { PairItem } from './pair-producer.ts';
import type { Random } from '../util/random.ts';

export interface BatchPlan {
  /** Self-blended pairs per step. */
  selfBlend: number;
  /** Supervised (real, deepfake of it) pairs per step. */
  supervised: number;
}

/** Real and fake bank indices of one source. */
export interface SourcePair {
  pair: string;
  reals: number[];
  fakes: number[];
}

/** The sources among `indices` that have at least one real and one fake face, sorted by name. */
export function sourcePairs(bank: FaceBank, indices: readonly number[]): SourcePair[] {
  const byPair = new Map<string, SourcePair>();
  for (const index of indices) {
    const entry = bank.entries[index]!;
    if (!entry.label || entry.pair === undefined) continue;
    let source = byPair.get(entry.pair);
    if (!source) byPair.set(entry.pair, (source = { pair: entry.pair, reals: [], fakes: [] }));
    (entry.label === 'real' ? source.reals : source.fakes).push(index);
  }
  return [...byPair.values()]
    .filter((s) => s.reals.length && s.fakes.length)
    .sort((a, b) => (a.pair < b.pair ? -1 : 1));
}

export interface BatchSampler {
  /** The next step's pairs: the supervised ones first, then the self-blended ones. */
  next(): PairItem[];
  readonly sources: number;
  readonly selfBlendFaces: number;
}

export function createBatchSampler(
  bank: FaceBank,
  trainIndices: readonly number[],
  plan: BatchPlan,
  random: Random,
): BatchSampler {
  const sources = sourcePairs(bank, trainIndices);
  const footageReals = trainIndices.filter((i) => bank.entries[i]!.label === undefined);
  const datasetReals = trainIndices.filter((i) => bank.entries[i]!.label === 'real');
  const realPools = [footageReals, datasetReals].filter((pool) => pool.length > 0);
  if (plan.supervised > 0 && sources.length === 0)
    throw new Error('supervised pairs were asked for, but no source has both a real and a fake face');
  if (plan.selfBlend > 0 && realPools.length === 0)
    throw new Error('self-blended pairs were asked for, but there are no real faces');
  const seed = () => random.int(1, 2 ** 31 - 1);
  return {
    sources: sources.length,
    selfBlendFaces: footageReals.length + datasetReals.length,
    next: () => [
      ...Array.from({ length: plan.supervised }, (): PairItem => {
        const source = random.pick(sources);
        return { index: random.pick(source.reals), fakeIndex: random.pick(source.fakes), seed: seed() };
      }),
      ...Array.from({ length: plan.selfBlend }, (): PairItem => {
        const pool = random.pick(realPools);
        return { index: random.pick(pool), seed: seed() };
      }),
    ],
  };
}
