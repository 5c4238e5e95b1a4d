import { InvalidArgumentError } from 'commander';

/** Commander value parsers: each rejects with a message saying what was expected. */
export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number.');
  return n;
}

export function integerList(value: string): number[] {
  const parts = value.split(',');
  const sizes = parts.map((p) => Number(p));
  if (parts.some((p) => !/^\s*\d+\s*$/.test(p)) || sizes.some((n) => n < 1)) {
    throw new InvalidArgumentError('expected comma-separated positive integers, e.g. 512,256.');
  }
  return sizes;
}
