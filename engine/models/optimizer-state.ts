/** Saves and restores a tfjs optimizer's slot variables (e.g. Adam's moments), for resuming training. */
import { readFile } from 'node:fs/promises';
import { tf } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import { writeFileAtomic } from '../util/files.ts';

interface SavedWeightSpec {
  name: string;
  shape: number[];
  offset: number;
}

export async function saveOptimizerState(optimizer: tf.Optimizer, path: string): Promise<void> {
  const weights = await optimizer.getWeights();
  const specs: SavedWeightSpec[] = [];
  const chunks: Float32Array[] = [];
  let offset = 0;
  for (const { name, tensor } of weights) {
    const values = (await tensor.data()) as Float32Array;
    specs.push({ name, shape: tensor.shape, offset });
    chunks.push(values);
    offset += values.length;
  }
  // getWeights() returns the optimizer's own variables plus a fresh iteration-count scalar: free the latter.
  for (const { tensor } of weights) if (!(tensor instanceof tf.Variable)) tensor.dispose();
  const header = Buffer.from(
    `${JSON.stringify({ optimizer: optimizer.getClassName(), specs, length: offset })}\n`,
  );
  const body = new Float32Array(offset);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  await writeFileAtomic(path, Buffer.concat([header, Buffer.from(body.buffer)]));
}

export async function loadOptimizerState(optimizer: tf.Optimizer, path: string): Promise<void> {
  const bytes = await readFile(path);
  const newline = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as {
    optimizer: string;
    specs: SavedWeightSpec[];
    length: number;
  };
  if (header.optimizer !== optimizer.getClassName()) {
    throw new UnmaskError(
      'modelLoadFailed',
      `Cannot resume: the checkpoint ${path} was written by the ${header.optimizer} optimiser, not ${optimizer.getClassName()}.`,
    );
  }
  const body = bytes.subarray(newline + 1);
  const values = new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + header.length * 4));
  const named = header.specs.map((spec) => ({
    name: spec.name,
    tensor: tf.tensor(
      values.subarray(spec.offset, spec.offset + spec.shape.reduce((a, b) => a * b, 1)),
      spec.shape,
    ),
  }));
  await optimizer.setWeights(named);
  for (const { tensor } of named) tensor.dispose();
}
