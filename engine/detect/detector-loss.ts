/**
 * The detector's training loss, shared by in-process training and the data-parallel workers
 * (detector-shard.ts): sigmoid cross-entropy on the manipulation logit plus the weighted blend-boundary loss over
 * the cells whose target is known. Pure tensor maths.
 */
import { tf } from '../runtime/tensorflow.ts';

export interface DetectorLossConfig {
  boundaryLossWeight: number;
  /** Weight of the paired ranking term (0 = off). */
  rankingLossWeight: number;
}

/**
 * A batch as tensors: `x` crops in [-1, 1], `labels` N×1 (1 = fake), `boundary` N×b×b×1 (−1 = unknown), and
 * `pairs` N×1: rows 2i and 2i+1 are a real face (−1) and its own fake (+1), rows of no pair 0.
 */
export interface DetectorBatch {
  x: tf.Tensor4D;
  labels: tf.Tensor;
  boundary: tf.Tensor;
  pairs: tf.Tensor;
}

/**
 * The paired ranking loss: for each (real, its own fake) pair in rows (2i, 2i+1), softplus(z_real − z_fake),
 * averaged over the pairs. The two crops share a person, a room, a light and every augmentation, so this term's
 * gradient is the difference the manipulation makes, without the variance between people. N must be even.
 */
export function pairedRankingLoss(logits: tf.Tensor, pairs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const n = logits.shape[0]!;
    const signed = tf.mul(logits.reshape([n / 2, 2]), pairs.reshape([n / 2, 2]));
    // Per pair: z_fake − z_real where paired, 0 elsewhere; a pair counts when both rows are marked.
    const margin = tf.sum(signed, 1);
    const counted = tf.cast(tf.equal(tf.sum(tf.abs(pairs.reshape([n / 2, 2])), 1), 2), 'float32');
    const loss = tf.mul(tf.softplus(tf.neg(margin)), counted);
    return tf.div(tf.sum(loss), tf.maximum(tf.sum(counted), 1)) as tf.Scalar;
  });
}

/** Mean sigmoid cross-entropy over the cells whose target is known (≥ 0). */
export function maskedBoundaryLoss(yTrue: tf.Tensor, yPred: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const mask = tf.cast(tf.greaterEqual(yTrue, 0), 'float32');
    const target = tf.maximum(yTrue, 0);
    // Stable BCE with logits: max(x, 0) − x·z + log(1 + e^(−|x|)).
    const bce = tf.add(
      tf.sub(tf.relu(yPred), tf.mul(yPred, target)),
      tf.log1p(tf.exp(tf.neg(tf.abs(yPred)))),
    );
    return tf.div(tf.sum(tf.mul(bce, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  });
}

/** The loss of one batch, in training mode (dropout on; batch norm as the model's layers are set). */
export function detectorLoss(
  model: tf.LayersModel,
  batch: DetectorBatch,
  config: DetectorLossConfig,
): { loss: tf.Scalar; parts: { classification: tf.Scalar; boundary: tf.Scalar; ranking: tf.Scalar } } {
  const [logit, boundary] = model.apply(batch.x, { training: true }) as [tf.Tensor, tf.Tensor];
  const classification = tf.losses.sigmoidCrossEntropy(batch.labels, logit) as tf.Scalar;
  const boundaryLoss = maskedBoundaryLoss(batch.boundary, boundary);
  const ranking = config.rankingLossWeight > 0 ? pairedRankingLoss(logit, batch.pairs) : tf.scalar(0);
  return {
    loss: tf.addN([
      classification,
      tf.mul(boundaryLoss, config.boundaryLossWeight),
      tf.mul(ranking, config.rankingLossWeight),
    ]) as tf.Scalar,
    parts: { classification, boundary: boundaryLoss, ranking },
  };
}

/**
 * Keeps every batch-norm layer of `model` on its stored statistics, also in training mode (its scale and
 * offset still learn), as Keras does for a BatchNormalization layer with trainable = False. Used for pretrained
 * backbones: small per-worker batches would give noisy statistics that differ between data-parallel workers.
 */
export function freezeBatchNormStatistics(model: tf.LayersModel): number {
  let frozen = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    const call = layer.call.bind(layer);
    layer.call = (inputs, kwargs) => call(inputs, { ...kwargs, training: false });
    frozen++;
  }
  return frozen;
}
