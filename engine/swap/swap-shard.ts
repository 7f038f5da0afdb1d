/**
 * The swap models as a data-parallel worker module (engine/learn/data-parallel.ts): each worker builds the
 * networks (their weights are overwritten by the owner's every step) and computes `swapLoss` on its shard:
 * with an even number of workers, one identity's rows (see identityShards in train-swap.ts). Batch keys are
 * `<identity>_<input|target|mask|weight>`.
 */
import type { ShardTrainer } from '../learn/data-parallel.ts';
import type { tf } from '../runtime/tensorflow.ts';
import type { SwapArchitecture } from './swap-architecture.ts';
import type { SwapLossWeights } from './swap-loss.ts';
import { buildSwapNetworks, IDENTITIES, type Identity } from './swap-networks.ts';
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
      // Identities with no rows in this shard (identityShards gives a worker one identity) are left out.
      const batches: Partial<Record<Identity, SwapBatch>> = {};
      for (const identity of IDENTITIES) {
        if (!batch[`${identity}_input`]?.shape[0]) continue;
        batches[identity] = Object.fromEntries(
          SWAP_BATCH_FIELDS.map((field) => [field, batch[`${identity}_${field}`] as tf.Tensor4D]),
        ) as unknown as SwapBatch;
      }
      const { total, parts } = swapLoss(networks, batches, config.lossWeights, config.cycle);
      return { loss: total, parts: parts as Record<string, tf.Scalar> };
    },
  };
}
