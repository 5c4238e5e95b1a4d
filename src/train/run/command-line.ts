import { DATA_OPTIONS } from '../options/data-options.js';
import type { OptionSpec } from '../options/option-spec.js';
import type { TrainConfig } from '../options/train-config.js';
import { TRAIN_OPTIONS, type TrainOptionSpec } from '../options/train-options.js';

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const flagOf = (spec: OptionSpec, value: unknown) => `${spec.flag} ${(spec.type.format as (v: unknown) => string)(value)}`;

/**
 * The `vaekit train` command that reproduces `config`: `--data`, the data options it recorded,
 * then every training option that differs from its default (and those the table marks `always`),
 * all derived from the option tables.
 *
 * @example
 * ```ts
 * trainCommandLine(resolveTrainConfig({ seed: 1, hidden: [512, 256] }), 'runs/mnist');
 * // 'vaekit train --data mnist --epochs 20 --seed 1 --hidden 512,256 --out runs/mnist'
 * ```
 */
export function trainCommandLine(config: TrainConfig, out?: string): string {
  const flags: string[] = [`--data ${config.data}`];
  const data = config.dataOptions ?? {};
  for (const spec of DATA_OPTIONS as readonly OptionSpec[]) {
    const value = (data as Record<string, unknown>)[spec.key];
    const implied = spec.key === 'splitSeed' ? config.seed : spec.default; // the split follows --seed unless set apart
    if (value !== undefined && !same(value, implied)) flags.push(flagOf(spec, value));
  }
  for (const spec of TRAIN_OPTIONS as readonly TrainOptionSpec[]) {
    if (spec.applies && !spec.applies(config)) continue;
    const value = spec.read ? spec.read(config) : (config as unknown as Record<string, unknown>)[spec.key];
    if (value == null) continue;
    const fallback = spec.defaultFor ? spec.defaultFor(config) : spec.default;
    if (spec.always || !same(value, fallback)) flags.push(flagOf(spec, value));
  }
  if (out) flags.push(`--out ${out}`);
  return `vaekit train ${flags.join(' ')}`;
}
