import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The lines of a run folder's `metrics.jsonl`, parsed. */
export async function metricsLines(dir: string): Promise<Record<string, unknown>[]> {
  return (await readFile(join(dir, 'metrics.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Wall-clock fields differ between identical runs; everything else must not. */
export function withoutTimes(lines: Record<string, unknown>[]) {
  return lines.map(({ samplesPerSec: _s, seconds: _t, ...rest }) => rest);
}
