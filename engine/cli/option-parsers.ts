/** Commander argument parsers shared by the subcommands: each rejects bad values with a usage error. */
import { InvalidArgumentError } from 'commander';
import { parseQueueUrl, type QueueAddress } from '../batch/queue-url.ts';

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function positiveInteger(value: string): number {
  const n = positiveNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be a positive integer');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('must be a number ≥ 0');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = nonNegativeNumber(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('must be an integer ≥ 0');
  return n;
}

export function integerInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`must be an integer ${min}–${max}`);
    return n;
  };
}

/** A variadic option of H.264 CRFs (0–51), collected value by value. */
export function crfList(value: string, previous: number[] | undefined): number[] {
  return [...(previous ?? []), integerInRange(0, 51)(value)];
}

/** `--max-outside`: a fraction in (0, 1]. */
export function maxOutsideFraction(value: string): number {
  const n = Number(value);
  if (!(n > 0 && n <= 1)) throw new InvalidArgumentError('must lie in (0, 1]');
  return n;
}

/** The `--max-outside` help shared by the commands that align a labelled face dataset. */
export const MAX_OUTSIDE_HELP =
  "skip faces whose crop lies more than this fraction outside the image (1: keep all; a model trained with a wider margin than the dataset's crops needs it)";

/** `--queue redis://host:port`: a Redis address for batch scanning. */
export function queueAddress(value: string): QueueAddress {
  try {
    return parseQueueUrl(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}
