/**
 * Commander options derived from the option tables (src/train/options): each flag's parser, choices,
 * default and help come from its spec, and values come back keyed by library key. Error messages
 * of the library name keys (`'dir'`); `flagMessage` shows them as the flags a CLI user typed.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DATA_OPTIONS, DATA_SOURCE_OPTION } from '../train/options/data-options.js';
import type { OptionSpec } from '../train/options/option-spec.js';
import { RUN_OPTIONS } from '../train/options/run-options.js';
import { TRAIN_OPTIONS } from '../train/options/train-options.js';
import type { ValueType } from '../train/options/value-types.js';

/** A commander argument parser for `type`: the message says what was expected. */
export function parserFor<T>(type: ValueType<T>): (text: string) => T {
  return (text) => {
    const value = type.parse(text);
    if (value === undefined) throw new InvalidArgumentError(`expected ${type.expected}.`);
    return value;
  };
}

/** The commander Option of `spec`. */
export function commanderOption(spec: OptionSpec): Option {
  const defaultHelp = spec.defaultHelp ? ` (default: ${spec.defaultHelp})` : '';
  const option = new Option(spec.placeholder ? `${spec.flag} ${spec.placeholder}` : spec.flag, spec.help + defaultHelp);
  if (!spec.placeholder) return option;
  if (spec.type.choices) option.choices(spec.type.choices);
  else option.argParser(parserFor(spec.type));
  if (spec.default !== undefined) option.default(spec.default, spec.type.format(spec.default));
  return option;
}

/** Adds every option of `specs` to `command`. */
export function addOptions(command: Command, specs: readonly OptionSpec[]): Command {
  for (const spec of specs) command.addOption(commanderOption(spec));
  return command;
}

const attribute = (spec: OptionSpec) => new Option(spec.flag).attributeName();

/**
 * The values of `specs` the user gave on the command line, keyed by library key. Defaults are
 * left out: the library applies the same ones from the same table.
 */
export function givenValues<V>(command: Command, specs: readonly OptionSpec[]): V {
  const values: Record<string, unknown> = {};
  const opts = command.opts();
  for (const spec of specs) {
    const name = attribute(spec);
    if (command.getOptionValueSource(name) === 'cli') values[spec.key] = opts[name];
  }
  return values as V;
}

/** The flags of `specs` the user gave, for messages. */
export function givenFlags(command: Command, specs: readonly OptionSpec[]): string[] {
  return specs.filter((spec) => command.getOptionValueSource(attribute(spec)) === 'cli').map((spec) => spec.flag);
}

const ALL_SPECS: readonly OptionSpec[] = [DATA_SOURCE_OPTION, ...DATA_OPTIONS, ...TRAIN_OPTIONS, ...RUN_OPTIONS] as readonly OptionSpec[];

/** `message` with each quoted library key of the option tables shown as its flag: `'dir'` → `--data-dir`. */
export function flagMessage(message: string): string {
  return ALL_SPECS.reduce((text, spec) => text.replaceAll(`'${spec.key}'`, spec.flag), message);
}
