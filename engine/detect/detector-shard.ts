/**
 * The detector as a data-parallel worker sees it (engine/learn/data-parallel.ts): the network and its loss on a
 * shard of the batch { x, labels, boundary, pairs } (shards hold whole pairs: `pairShards` in train-detector.ts). The owner's weights replace the worker's before every step, so the
 * initial weights built here do not matter; batch-norm statistics are frozen (they are not shared weights).
 */
import type { ShardTrainer } from '../learn/data-parallel.ts';
import type { tf } from '../runtime/tensorflow.ts';
import { detectorLoss, freezeBatchNormStatistics } from './detector-loss.ts';
import { createDetectorNetwork, type DetectorArchitecture } from './detector-network.ts';

export interface DetectorShardConfig {
  architecture: DetectorArchitecture;
  seed: number;
  boundaryLossWeight: number;
  rankingLossWeight: number;
}

export async function createShardTrainer(config: DetectorShardConfig): Promise<ShardTrainer> {
  const model = await createDetectorNetwork(config.architecture, config.seed);
  freezeBatchNormStatistics(model);
  return {
    variables: model.trainableWeights.map((w) => w.read() as tf.Variable),
    loss: (batch) => {
      const { loss, parts } = detectorLoss(
        model,
        {
          x: batch['x'] as tf.Tensor4D,
          labels: batch['labels']!,
          boundary: batch['boundary']!,
          pairs: batch['pairs']!,
        },
        config,
      );
      return { loss, parts };
    },
  };
}
