/**
 * `vaekit calibrate MODEL --data …`: scores reference rows with the model and records the score
 * distribution in MODEL/vaekit.json (the `calibration` record), which `vae.anomaly` and `vaekit
 * score` turn scores into percentiles against. Only vaekit.json changes, atomically: the graphs
 * and their SHA-256 stay as they are.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { VaekitError } from '../errors.js';
import { parseManifest } from '../manifest/validate.js';
import { MANIFEST_FILE, type ManifestCalibration } from '../manifest/schema.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { loadDataset } from '../train/data/load-dataset.js';
import { featureCount, gatherRows } from '../train/data/dataset.js';
import { nonNegativeInteger, positiveInteger } from '../train/options/value-types.js';
import { writeFileAtomic } from '../train/run/atomic-write.js';
import { MAX_IMPORTANCE_SAMPLES } from '../vae/arguments.js';
import { measureCalibration, type CalibrationSettings } from '../vae/anomaly-calibration.js';
import { manifestText } from '../vae/calibration.js';
import type { Vae } from '../vae/vae.js';
import { dataOf, inModelLayout, withData, withDevice, withModel, type DeviceFlags } from './model-commands.js';
import { parserFor } from './options.js';

interface CalibrateFlags extends DeviceFlags {
  split: 'test' | 'train';
  k: number;
  seed: number;
  max?: number;
}

/** Progress on stderr: a line that rewrites itself on a terminal, a line per phase and per 10 % otherwise. */
function progressReporter(stream: NodeJS.WriteStream = process.stderr): NonNullable<CalibrationSettings['onProgress']> {
  const names = { negElbo: '−ELBO', nll: 'IWAE NLL', complexity: 'input complexity (PNG deflate)' } as const;
  let phase = '';
  let start = 0;
  let lastTenth = -1;
  return (which, done, total) => {
    if (which !== phase) {
      if (phase && stream.isTTY) stream.write('\n');
      phase = which;
      start = performance.now();
      lastTenth = -1;
    }
    const fraction = total > 0 ? done / total : 1;
    const seconds = (performance.now() - start) / 1000;
    const eta = fraction > 0 && fraction < 1 ? `, ETA ${Math.ceil((seconds / fraction) * (1 - fraction))} s` : '';
    const line = `calibrate: ${names[which]} ${Math.floor(100 * fraction)}% (${done}/${total}${eta})`;
    if (stream.isTTY) stream.write(`\r${line}\x1b[K${done === total ? '\n' : ''}`);
    else if (Math.floor(10 * fraction) > lastTenth) {
      lastTenth = Math.floor(10 * fraction);
      stream.write(`${line}\n`);
    }
  };
}

/** The manifest file's JSON with `calibration` replaced: every other field stays as written. */
async function calibratedManifest(model: string, calibration: ManifestCalibration): Promise<string> {
  const path = join(model, MANIFEST_FILE);
  const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const text = manifestText({ ...raw, calibration });
  // The record must pass the manifest's own validation before it replaces the file.
  parseManifest(text);
  return text;
}

async function calibrate(vae: Vae, model: string, flags: CalibrateFlags, command: Command): Promise<void> {
  const { source, options } = dataOf(command);
  const dataset = await loadDataset(source, options);
  const split = dataset[flags.split];
  const n = Math.min(flags.max ?? split.count, split.count);
  const stride = split.count / n;
  // Evenly spaced rows when --max is below the split's size (splits are ordered by class).
  const rows = Array.from({ length: n }, (_, i) => Math.floor(i * stride));
  const features = featureCount(dataset);
  if (features !== vae.inputShape.reduce((a, b) => a * b, 1)) {
    throw new VaekitError('shape-mismatch', `--data ${dataset.name} has examples of shape [${dataset.shape.join(', ')}]; model '${vae.manifest.name}' takes [${vae.inputShape.join(', ')}]`);
  }
  const x = inModelLayout(vae, gatherRows(split, features, rows), n);
  const labels = split.labels ? Int32Array.from(rows, (r) => split.labels![r]!) : null;
  const data = `${dataset.name} ${flags.split} split (${n < split.count ? `${n} evenly spaced of ${split.count}` : n} rows)`;
  process.stderr.write(`calibrate: ${vae.manifest.name} on ${data}, k = ${flags.k}, seed ${flags.seed} (${vae.provider.decoder})\n`);
  const start = performance.now();
  const calibration = await measureCalibration(vae, x, n, { data, k: flags.k, seed: flags.seed, labels, onProgress: progressReporter() });
  await writeFileAtomic(join(model, MANIFEST_FILE), await calibratedManifest(model, calibration));
  const q = calibration.quantiles;
  const at = (p: number) => q.p.indexOf(p);
  console.log(
    `wrote ${join(model, MANIFEST_FILE)}: calibration on ${calibration.data}, k = ${calibration.k}, in ${((performance.now() - start) / 1000).toFixed(1)} s\n` +
      `  IWAE NLL  median ${q.nll[at(0.5)]!.toFixed(2)}  99th percentile ${q.nll[at(0.99)]!.toFixed(2)} nats\n` +
      `  −ELBO     median ${q.negElbo[at(0.5)]!.toFixed(2)}  99th percentile ${q.negElbo[at(0.99)]!.toFixed(2)} nats` +
      (q.nllComplexity ? `\n  NLL − complexity  median ${q.nllComplexity[at(0.5)]!.toFixed(2)}  99th percentile ${q.nllComplexity[at(0.99)]!.toFixed(2)} nats (${calibration.compressor})` : ''),
  );
}

export function calibrateCommand(): Command {
  return withData(withDevice(new Command('calibrate')))
    .description('Record the distribution of the anomaly scores on reference data in MODEL/vaekit.json (for vae.anomaly and vaekit score).')
    .argument('<model>', 'model folder (its vaekit.json is rewritten; the graphs are not touched)')
    .addOption(new Option('--split <name>', 'which split of --data is the reference').choices(['test', 'train']).default('test'))
    .option('--k <n>', 'importance samples of the NLL score', parserFor(positiveInteger), 1000)
    .option('--seed <n>', 'seed of ε', parserFor(nonNegativeInteger), DEFAULT_SEED)
    .option('--max <n>', 'use at most n rows of the split (evenly spaced)', parserFor(positiveInteger))
    .action(async (model: string, flags: CalibrateFlags, command: Command) => {
      if (flags.k > MAX_IMPORTANCE_SAMPLES) {
        throw new VaekitError('invalid-argument', `--k must be at most ${MAX_IMPORTANCE_SAMPLES} (importance samples per example; time grows with k); found ${flags.k}`);
      }
      await withModel(model, flags, (vae) => calibrate(vae, model, flags, command));
    });
}
