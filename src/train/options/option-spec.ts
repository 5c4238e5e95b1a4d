/**
 * A run option, declared once as data: its library key, its flag, its type (validation, parsing,
 * printing), its default and its help. The CLI's commander options, the library's checks, the
 * data loaders' arguments and the model card's command line are all derived from these tables
 * (data-options.ts, train-options.ts, run-options.ts); adding an option is one entry in one.
 */
import type { ValueType } from './value-types.js';

export interface OptionSpec<K extends string = string, T = unknown> {
  /** The library key: the field of `train()`'s options, `TrainConfig` or `DataOptions`. */
  readonly key: K;
  /** The command-line flag, e.g. `--data-dir`; `--no-x` for a switch that is on by default. */
  readonly flag: `--${string}`;
  /** The value's placeholder in help, e.g. `<dir>`; none for a switch. */
  readonly placeholder?: string;
  readonly type: ValueType<T>;
  /** Used when the option is not given; none = absent. */
  readonly default?: NoInfer<T>;
  /** The default as help shows it, when it is not one plain value (e.g. it depends on another option). */
  readonly defaultHelp?: string;
  readonly help: string;
}

/** The value type of an option spec. */
export type ValueOf<S> = S extends { readonly type: ValueType<infer T> } ? T : never;

/** The values of a table of options, keyed by library key (each optional). */
export type OptionValues<Specs extends readonly OptionSpec<string, any>[]> = {
  -readonly [S in Specs[number] as S['key']]?: ValueOf<S>;
};

/** Declares one option, keeping its key's literal type. */
export function option<const K extends string, T>(spec: OptionSpec<K, T>): OptionSpec<K, T> {
  return spec;
}
