/**
 * The flags `vaekit score --queue` and `vaekit worker` share, declared once. Defaults repeat the
 * ones of src/queue (the CLI must not load src/queue, which imports bullmq, before the peer check).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { positiveInteger } from '../train/options/value-types.js';
import { parserFor } from './options.js';

export const QUEUE_NAME_DEFAULT = 'vaekit-score';
const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,100}$/;

export interface QueueFlags {
  queue?: string;
  queueName: string;
}

/** `--queue-name`: letters, digits, `_ . -` (BullMQ refuses ':' in queue names). */
function queueName(text: string): string {
  if (!QUEUE_NAME.test(text)) throw new InvalidArgumentError(`expected 1–100 letters, digits, '_', '.' or '-'; found '${text}'.`);
  return text;
}

/** Adds `--queue` (required when `required`) and `--queue-name`. */
export function withQueueOptions(command: Command, required: boolean): Command {
  const url = new Option('--queue <redis-url>', required ? 'Redis of the BullMQ queue, e.g. redis://host:6379/0' : 'score on a BullMQ queue in this Redis (redis://host:6379/0) with `vaekit worker`s instead of in this process');
  if (required) url.makeOptionMandatory();
  return command
    .addOption(url)
    .addOption(new Option('--queue-name <name>', 'BullMQ queue name (producer and workers must agree)').argParser(queueName).default(QUEUE_NAME_DEFAULT));
}

/** `--queue-window`: chunks on the queue ahead of the output (the producer's memory and Redis's hold that many). */
export function withQueueWindow(command: Command): Command {
  return command.option('--queue-window <chunks>', 'with --queue: chunks queued ahead of the output; ≥ 2 × the workers\' total concurrency', parserFor(positiveInteger), 16);
}
