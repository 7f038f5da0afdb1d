/** Saves and loads MAS importances Ω and anchors θ* beside a model's weights, checked against the model. */
import { readFile } from 'node:fs/promises';
import { tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';
import type { MasAnchor } from './mas.ts';

interface Spec {
  name: string;
  shape: number[];
  offset: number;
}

export async function saveMasAnchor(anchor: MasAnchor, path: string): Promise<void> {
  const specs: { importance: Spec[]; anchors: Spec[] } = { importance: [], anchors: [] };
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const kind of ['importance', 'anchors'] as const) {
    for (const [name, tensor] of anchor[kind]) {
      const values = (await tensor.data()) as Float32Array;
      specs[kind].push({ name, shape: tensor.shape, offset });
      chunks.push(values);
      offset += values.length;
    }
  }
  const body = new Float32Array(offset);
  let at = 0;
  for (const c of chunks) {
    body.set(c, at);
    at += c.length;
  }
  const header = Buffer.from(`${JSON.stringify({ format: 'unmask.mas/1', ...specs, length: offset })}\n`);
  await writeFileAtomic(path, Buffer.concat([header, Buffer.from(body.buffer)]));
}

/** Loads Ω and θ*, refusing a file whose weights do not match `model`'s trainable weights. */
export async function loadMasAnchor(path: string, model: tf.LayersModel): Promise<MasAnchor> {
  const bytes = await readFile(path);
  const newline = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as {
    format: string;
    importance: Spec[];
    anchors: Spec[];
    length: number;
  };
  if (header.format !== 'unmask.mas/1')
    throw new UnmaskError('modelLoadFailed', `${path} is not an importance file`);
  const body = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset + newline + 1, bytes.byteOffset + newline + 1 + header.length * 4),
  );
  // Weights are matched by position and shape: tfjs may rename variables (suffixes) when a model is reloaded.
  const weights = model.trainableWeights;
  const read = (specs: Spec[]) => {
    if (specs.length !== weights.length) {
      throw new UnmaskError(
        'modelLoadFailed',
        `Importance file ${path} has ${specs.length} weights; the model has ${weights.length}.`,
      );
    }
    return new Map(
      specs.map((spec, i) => {
        const weight = weights[i]!;
        if (weight.shape.join('×') !== spec.shape.join('×')) {
          throw new UnmaskError(
            'modelLoadFailed',
            `Importance file ${path} does not match the model: weight ${i} (${spec.name}) is ${spec.shape.join('×')} there, ${weight.shape.join('×')} in the model.`,
          );
        }
        const size = spec.shape.reduce((a, b) => a * b, 1);
        return [weight.name, tf.tensor(body.subarray(spec.offset, spec.offset + size), spec.shape)];
      }),
    );
  };
  return { importance: read(header.importance), anchors: read(header.anchors) };
}
