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

/** `--queue redis://host:port`: a Redis address for batch scanning. */
export function queueAddress(value: string): QueueAddress {
  try {
    return parseQueueUrl(value);
  } catch (error) {
    throw new InvalidArgumentError(error instanceof Error ? error.message : String(error));
  }
}
