/**
 * RPROP (Riedmiller & Braun, 1993), the Rprop− variant as in PyTorch's `torch.optim.Rprop`:
 * every weight has its own step size, grown by η⁺ while its gradient keeps its sign and cut by η⁻ when the
 * sign flips (and that step is skipped); the update uses only the gradient's sign, so there is no learning rate
 * beyond the initial step size. It is a full-batch method: noisy mini-batch gradients flip signs at random.
 */
import * as tf from '@tensorflow/tfjs';

/** tfjs-core's NamedTensor, which the tfjs umbrella package does not re-export. */
interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface RpropConfig {
  /** Initial step size for every weight (PyTorch's `lr`). */
  initialStep: number;
  etaMinus: number;
  etaPlus: number;
  minStep: number;
  maxStep: number;
}

export const DEFAULT_RPROP: RpropConfig = {
  initialStep: 0.01,
  etaMinus: 0.5,
  etaPlus: 1.2,
  minStep: 1e-6,
  maxStep: 50,
};

/** −1, 0 or 1 by comparison, exact for every float (unlike wasm's Sign kernel). */
function exactSign(x: tf.Tensor): tf.Tensor {
  return tf.sub(tf.cast(tf.greater(x, 0), 'float32'), tf.cast(tf.less(x, 0), 'float32'));
}

interface Slot {
  originalName: string;
  previousGradient: tf.Variable;
  stepSize: tf.Variable;
}

export class RpropOptimizer extends tf.Optimizer {
  static get className(): string {
    return 'Rprop';
  }

  readonly config: RpropConfig;
  private slots: Slot[] = [];

  constructor(config: Partial<RpropConfig> = {}) {
    super();
    this.config = { ...DEFAULT_RPROP, ...config };
    const { etaMinus, etaPlus, minStep, maxStep, initialStep } = this.config;
    if (!(etaMinus > 0 && etaMinus < 1 && etaPlus > 1)) throw new Error('Rprop needs 0 < η⁻ < 1 < η⁺');
    if (!(minStep > 0 && maxStep >= minStep && initialStep > 0))
      throw new Error('Rprop needs 0 < minStep ≤ maxStep and initialStep > 0');
  }

  private slotFor(name: string, variable: tf.Tensor, index: number): Slot {
    let slot = this.slots[index];
    if (!slot) {
      slot = tf.tidy(() => ({
        originalName: `${name}/rprop`,
        previousGradient: tf.variable(tf.zerosLike(variable), false),
        stepSize: tf.variable(tf.fill(variable.shape, this.config.initialStep), false),
      }));
      this.slots[index] = slot;
    }
    return slot;
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    const { etaMinus, etaPlus, minStep, maxStep } = this.config;
    list.forEach(({ name, tensor: gradient }, index) => {
      const variable = tf.engine().registeredVariables[name];
      if (!variable || gradient == null) return;
      const slot = this.slotFor(name, variable, index);
      tf.tidy(() => {
        // Comparisons, not tf.sign: the wasm backend's Sign returns 0 for |x| below ~1e-7, and RPROP must see
        // the sign of every non-zero gradient, as PyTorch does.
        const agreement = tf.mul(gradient, slot.previousGradient);
        const held = tf.greater(agreement, 0);
        const flipped = tf.less(agreement, 0);
        // η⁺ where the sign held, η⁻ where it flipped, 1 where either gradient was zero.
        const factor = tf.where(
          held,
          tf.scalar(etaPlus),
          tf.where(flipped, tf.scalar(etaMinus), tf.scalar(1)),
        );
        const step = tf.clipByValue(tf.mul(slot.stepSize, factor), minStep, maxStep);
        const effectiveGradient = tf.where(flipped, tf.zerosLike(gradient), gradient);
        variable.assign(tf.sub(variable, tf.mul(exactSign(effectiveGradient), step)));
        slot.stepSize.assign(step);
        slot.previousGradient.assign(effectiveGradient);
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    for (const slot of this.slots) {
      slot.previousGradient.dispose();
      slot.stepSize.dispose();
    }
    this.slots = [];
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const weights: NamedTensor[] = [];
    for (const slot of this.slots) {
      weights.push({ name: `${slot.originalName}/previous_gradient`, tensor: slot.previousGradient });
      weights.push({ name: `${slot.originalName}/step_size`, tensor: slot.stepSize });
    }
    return [await this.saveIterations(), ...weights];
  }

  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weightValues);
    this.dispose();
    for (let i = 0; i + 1 < values.length; i += 2) {
      const name = values[i]!.name.replace(/\/previous_gradient$/, '');
      this.slots.push({
        originalName: name,
        previousGradient: tf.variable(values[i]!.tensor, false),
        stepSize: tf.variable(values[i + 1]!.tensor, false),
      });
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...this.config };
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config as unknown as Partial<RpropConfig>);
  }
}

tf.serialization.registerClass(RpropOptimizer);
