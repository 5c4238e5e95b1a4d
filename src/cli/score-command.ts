/**
 * `vaekit score MODEL --data … --out scores.csv`: one line of scores per example of a data set of
 * any size — streamed in chunks, resumable with --resume, complete only when the command says so.
 * The local run is `runLocalScore`; reading (read-chunks.ts) and writing (score-output.ts) are the
 * pieces a distributed run shares.
 */
import { Command, Option } from 'commander';
import { Vae } from '../node.js';
import { VaekitError } from '../errors.js';
import type { VaeManifest } from '../manifest/schema.js';
import { NODE_DEVICES, type NodeDevice } from '../runtime/devices.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { countScoreRows, describeScoreData, readScoreChunks, SCORE_SPLITS, type ScoreDataOptions, type ScoreSplit } from '../score/read-chunks.js';
import { scoreChunk, type ScoreSettings } from '../score/score-chunk.js';
import { ScoreOutput, type ScoreRunIdentity } from '../score/score-output.js';
import { DEFAULT_CHUNK_ROWS } from '../score/score-rows.js';
import { DATA_OPTIONS, DATA_SOURCE_OPTION, DEFAULT_DATA, checkDataOptions, type DataOptions, type DataSource } from '../train/options/data-options.js';
import { nonNegativeInteger, positiveInteger } from '../train/options/value-types.js';
import { MAX_IMPORTANCE_SAMPLES } from '../vae/arguments.js';
import { QUEUE_PEERS, assertPeers } from '../optional-peers.js';
import { addOptions, givenFlags, givenValues, parserFor } from './options.js';
import { withQueueOptions, withQueueWindow, type QueueFlags } from './queue-options.js';

/** The rows of a run and how they are scored: what identifies it, beside the model. */
export interface ScoreRunPlan {
  source: DataSource;
  data: ScoreDataOptions;
  settings: ScoreSettings;
  chunkRows: number;
}

/** The identity a resume checks: the model's graphs, the data, k, seed and chunk size. */
export function scoreIdentity(manifest: VaeManifest, plan: ScoreRunPlan): ScoreRunIdentity {
  return {
    model: { encoder: manifest.graphs.encoder.sha256, decoder: manifest.graphs.decoder.sha256 },
    data: describeScoreData(plan.source, plan.data),
    k: plan.settings.k,
    seed: plan.settings.seed,
    chunkRows: plan.chunkRows,
  };
}

const PLAIN_EVERY_MS = 5000;

/**
 * Progress on stderr: rows, rows/s (of this process), and the share and ETA when the row count is
 * known. One rewritten line on a TTY; a line every 5 s on a pipe or log file.
 */
export function createScoreProgress(totalRows: number | null, startRows: number, stream: NodeJS.WriteStream = process.stderr) {
  const tty = Boolean(stream.isTTY);
  const start = performance.now();
  let printedAt = start;
  let rows = startRows;
  const line = (): string => {
    const seconds = (performance.now() - start) / 1000;
    const rate = seconds > 0 ? (rows - startRows) / seconds : 0;
    const share = totalRows ? ` / ${totalRows} (${Math.floor((100 * rows) / totalRows)} %)` : '';
    const eta = totalRows && rate > 0 ? `, ETA ${formatSeconds((totalRows - rows) / rate)}` : '';
    return `rows ${rows}${share}, ${rate.toFixed(rate < 10 ? 1 : 0)} rows/s${eta}`;
  };
  return {
    update(rowsDone: number) {
      rows = rowsDone;
      if (tty) stream.write(`\r\x1b[2K${line()}`);
      else if (performance.now() - printedAt >= PLAIN_EVERY_MS) {
        printedAt = performance.now();
        stream.write(`${line()}\n`);
      }
    },
    done() {
      stream.write(tty ? '\n' : `${line()}\n`);
    },
    /** Rows per second of this process so far. */
    rate: () => (rows - startRows) / Math.max((performance.now() - start) / 1000, 1e-9),
  };
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.ceil(s)} s`;
  if (s < 5400) return `${Math.ceil(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/**
 * Scores the rest of `output` (from its `nextChunk`) in this process, chunk after chunk in order;
 * the caller commits the output after it returns.
 *
 * @example
 * ```ts
 * const plan = { source: 'mnist', data: { split: 'test' }, settings: { k: 100, seed: 0 }, chunkRows: 256 } as const;
 * const output = await ScoreOutput.open('scores.csv', { resume: false, identity: scoreIdentity(vae.manifest, plan) });
 * await runLocalScore(vae, plan, output, { onRows: (rows) => console.error(rows) });
 * await output.commit();
 * ```
 */
export async function runLocalScore(vae: Vae, plan: ScoreRunPlan, output: ScoreOutput, options: { onRows?: (rows: number) => void } = {}): Promise<void> {
  for await (const chunk of readScoreChunks(vae.manifest, plan.source, plan.data, plan.chunkRows, output.nextChunk)) {
    await output.append(await scoreChunk(vae, chunk, plan.settings));
    options.onRows?.(output.rows);
  }
}

interface ScoreFlags extends QueueFlags {
  queueWindow: number;
  device: NodeDevice;
  strict?: boolean;
  split: ScoreSplit;
  k: number;
  seed: number;
  chunkRows: number;
  maxRows?: number;
  out: string;
  resume?: boolean;
  verbose?: boolean;
}

/** The data source and options as given (as eval reads them: model-commands.ts), with the split and row limit. */
function dataPlan(command: Command, flags: ScoreFlags): { source: DataSource; data: ScoreDataOptions } {
  const source = givenValues<{ data?: DataSource }>(command, [DATA_SOURCE_OPTION]).data ?? DEFAULT_DATA;
  const given = givenValues<DataOptions>(command, DATA_OPTIONS);
  if (givenFlags(command, DATA_OPTIONS).includes('--scaling')) {
    throw new VaekitError('invalid-argument', `--scaling applies to training; vaekit score scales CSV rows with the model's recorded scaling`);
  }
  const data: ScoreDataOptions = { ...checkDataOptions(source, given), split: flags.split };
  if (flags.maxRows !== undefined) data.maxRows = flags.maxRows;
  return { source, data };
}

/** Adds the flags of `vaekit score` (the queue's flags are added beside them). */
export function scoreCommand(): Command {
  const command = new Command('score')
    .description('Score every example of a data set — −ELBO, reconstruction, KL, IWAE-k NLL and the calibrated percentile — into a CSV or JSON Lines file, streamed in chunks and resumable.')
    .argument('<model>', 'model folder (encoder.onnx, decoder.onnx, vaekit.json)')
    .addOption(new Option('--device <name>', 'execution provider').choices(NODE_DEVICES).default('auto'))
    .option('--strict', 'fail instead of falling back to cpu when the device is unavailable');
  // The data flags of train and eval; --scaling stays only to be refused with a reason.
  const dataOptions = DATA_OPTIONS.map((spec) => (spec.key === 'scaling' ? { ...spec, default: undefined, help: "csv: refused — score scales rows with the model's recorded scaling" } : spec));
  addOptions(command, [{ ...DATA_SOURCE_OPTION, help: `data set to score: ${DATA_SOURCE_OPTION.help.replace(/^data set: /, '')}` }, ...dataOptions]);
  return withQueueWindow(withQueueOptions(command, false))
    .addOption(new Option('--split <split>', 'rows to score: all (train rows, then test rows), train or test').choices(SCORE_SPLITS).default('all'))
    .option('--k <n>', 'importance samples of the IWAE NLL', parserFor(positiveInteger), 1000)
    .option('--seed <n>', 'seed of ε', parserFor(nonNegativeInteger), DEFAULT_SEED)
    .option('--chunk-rows <n>', 'rows read, scored and written together (the unit of --resume)', parserFor(positiveInteger), DEFAULT_CHUNK_ROWS)
    .option('--max-rows <n>', 'score only the first n rows', parserFor(positiveInteger))
    .option('--out <file>', 'scores to write: .csv, or .jsonl / .ndjson for JSON Lines (appears when complete)', 'scores.csv')
    .option('--resume', 'continue the unfinished run of the same settings at --out from its last completed chunk')
    .option('--verbose', 'print a summary with time, rows/s and peak memory at the end')
    .action((model: string, flags: ScoreFlags, cmd: Command) => scoreAction(model, flags, cmd));
}

function resumeHint(output: ScoreOutput): string {
  return `${output.rows} rows are kept in ${output.partialPath}; the same command with --resume continues from there`;
}

async function scoreAction(model: string, flags: ScoreFlags, command: Command): Promise<void> {
  if (flags.k > MAX_IMPORTANCE_SAMPLES) {
    throw new VaekitError('invalid-argument', `--k must be at most ${MAX_IMPORTANCE_SAMPLES} (importance samples per example; time grows with k); found ${flags.k}`);
  }
  // bullmq and ioredis are optional peers: a --queue run checks them before it loads or writes anything.
  if (flags.queue) assertPeers('vaekit score --queue', QUEUE_PEERS);
  const { source, data } = dataPlan(command, flags);
  const plan: ScoreRunPlan = { source, data, settings: { k: flags.k, seed: flags.seed }, chunkRows: flags.chunkRows };
  const started = performance.now();
  const vae = await Vae.load(model, { device: flags.device, strict: flags.strict });
  let output: ScoreOutput | null = null;
  try {
    output = await ScoreOutput.open(flags.out, { resume: flags.resume ?? false, identity: scoreIdentity(vae.manifest, plan) });
    const totalRows = await countScoreRows(source, data);
    const calibrated = vae.manifest.calibration ? '' : ' (no calibration in the manifest: the percentile column stays empty)';
    console.error(
      `vaekit score: ${vae.manifest.name} on ${describeScoreData(source, data)}, k ${flags.k}, seed ${flags.seed}, chunks of ${flags.chunkRows} rows (${vae.provider.decoder})${calibrated}` +
        (output.resumed ? `; resuming at chunk ${output.nextChunk} (${output.rows} rows written)` : ''),
    );
    const progress = createScoreProgress(totalRows, output.rows);
    const before = output.rows;
    const opened = output;
    // The partial file and its state agree after every write: a stopped run is a resumable one.
    const stop = (signal: NodeJS.Signals) => {
      progress.done();
      console.error(`vaekit score: ${signal}: ${resumeHint(opened)}`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    };
    process.once('SIGINT', stop).once('SIGTERM', stop);
    try {
      if (flags.queue) {
        const { runQueuedScore } = await import('./queued-score.js');
        await runQueuedScore(vae.manifest, plan, output, { identity: scoreIdentity(vae.manifest, plan), queue: flags.queue, queueName: flags.queueName, window: flags.queueWindow, onRows: (rows) => progress.update(rows) });
      } else await runLocalScore(vae, plan, output, { onRows: (rows) => progress.update(rows) });
    } catch (error) {
      progress.done();
      if (output.rows > 0) console.error(`vaekit score: stopped by the error below; ${resumeHint(output)}`);
      throw error;
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
    }
    progress.done();
    const rate = progress.rate();
    const { rows, path } = await output.commit();
    if (flags.verbose) {
      const seconds = (performance.now() - started) / 1000;
      console.log(JSON.stringify({ rows, scoredNow: rows - before, seconds, rowsPerSecond: rate, maxRssBytes: process.resourceUsage().maxRSS * 1024, provider: vae.provider.decoder }));
    }
    console.log(`wrote ${path}: ${rows} rows, complete`);
  } finally {
    await output?.close();
    await vae.dispose();
  }
}
