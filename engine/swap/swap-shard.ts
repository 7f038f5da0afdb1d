/**
 * The swap models as a data-parallel worker module (engine/learn/data-parallel.ts): each worker builds the
 * networks (their weights are overwritten by the owner's every step) and computes `swapLoss` on its shard of
 * both identities' batches. Batch keys are `<identity>_<input|target|mask|weight>`.
 */
import type { ShardTrainer } from '../learn/data-parallel.ts';
import type { tf } from '../runtime/tensorflow.ts';
import type { SwapArchitecture } from './swap-architecture.ts';
import type { SwapLossWeights } from './swap-loss.ts';
import { buildSwapNetworks, type Identity } from './swap-networks.ts';
import { SWAP_BATCH_FIELDS, swapLoss, type SwapBatch } from './train-swap.ts';

export interface SwapShardConfig {
  architecture: SwapArchitecture;
  lossWeights: SwapLossWeights;
  cycle: boolean;
}

export function createShardTrainer(config: SwapShardConfig): ShardTrainer {
  const networks = buildSwapNetworks(config.architecture, 1);
  return {
    variables: networks.trainableVariables(),
    loss: (batch) => {
      const pick = (identity: Identity) =>
        Object.fromEntries(
          SWAP_BATCH_FIELDS.map((field) => [field, batch[`${identity}_${field}`] as tf.Tensor4D]),
        ) as unknown as SwapBatch;
      const { total, parts } = swapLoss(
        networks,
        { a: pick('a'), b: pick('b') },
        config.lossWeights,
        config.cycle,
      );
      return { loss: total, parts };
    },
  };
}
