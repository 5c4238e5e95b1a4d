/**
 * `--name N` from the command line: an integer ≥ `min` (default 1), or `fallback` when absent.
 */
export function option(name: string, fallback: number, { min = 1 }: { min?: number } = {}): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be an integer ≥ ${min}; found ${process.argv[i + 1]}`);
  }
  return value;
}

/** `--name value` from the command line: one of `choices`, or `fallback` when absent. */
export function choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? process.argv[i + 1] : fallback;
  if (!choices.includes(value as T)) throw new Error(`--${name} must be one of ${choices.join(', ')}; found ${value}`);
  return value as T;
}
