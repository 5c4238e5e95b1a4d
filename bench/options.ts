/** `--name N` from the command line: a positive integer, or `fallback` when absent. */
export function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer; found ${process.argv[i + 1]}`);
  return value;
}
