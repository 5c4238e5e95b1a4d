import { Command, Option } from 'commander';
import { Vae } from '../node.js';
import { VaekitError } from '../errors.js';
import { MAX_IMPORTANCE_SAMPLES } from '../vae/arguments.js';
import { NODE_DEVICES, type NodeDevice } from '../runtime/devices.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { loadDataset } from '../train/data/load-dataset.js';
import { gatherRows } from '../train/data/dataset.js';
import { DATA_OPTIONS, DATA_SOURCE_OPTION, DEFAULT_DATA, checkDataOptions, type DataOptions, type DataSource } from '../train/options/data-options.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from '../train/options/value-types.js';
import { imageGridSize, reconstructionGridSize, writeImageGrid, writeReconstructionGrid } from '../train/report/image-grid.js';
import { hwcToChw, imageDims, toHwc } from '../vae/pixel-layout.js';
import { addOptions, givenValues, parserFor } from './options.js';
import { checkPngFits, largestFitting, pngFits } from './png-limit.js';

export interface DeviceFlags {
  device: NodeDevice;
  strict?: boolean;
}

export function withDevice(cmd: Command): Command {
  return cmd
    .addOption(new Option('--device <name>', 'execution provider').choices(NODE_DEVICES).default('auto'))
    .option('--strict', 'fail instead of falling back to cpu when the device is unavailable');
}

/** Loads the model, runs `work`, and releases the model even when `work` refuses its input. */
export async function withModel(model: string, flags: DeviceFlags, work: (vae: Vae) => Promise<void>): Promise<void> {
  const vae = await Vae.load(model, { device: flags.device, strict: flags.strict });
  try {
    await work(vae);
  } finally {
    await vae.dispose();
  }
}

/** The model's picture size and layout; refuses a model whose examples are not 1- or 3-channel images. */
function imageShape(vae: Vae): { height: number; width: number; channels: 1 | 3; layout: 'hwc' | 'chw' } {
  const { shape, layout } = vae.manifest.input;
  const dims = imageDims(shape, layout);
  if (!dims || layout === 'features' || (dims.channels !== 1 && dims.channels !== 3)) {
    throw new VaekitError('invalid-argument', `this command writes images; model '${vae.manifest.name}' has input shape [${shape.join(', ')}] (layout ${layout})`);
  }
  return { height: dims.height, width: dims.width, channels: dims.channels as 1 | 3, layout };
}

/** n rows of a data set (channel-last images, or feature rows) in the model's layout. */
export function inModelLayout(vae: Vae, x: Float32Array, n: number): Float32Array {
  const dims = imageDims(vae.inputShape, vae.manifest.input.layout);
  return dims && vae.manifest.input.layout === 'chw' ? hwcToChw(x, n, dims) : x;
}

/** Adds `--data` and every data option (the table train uses): the commands read any data source. */
export function withData(cmd: Command): Command {
  return addOptions(cmd, [{ ...DATA_SOURCE_OPTION, help: `data set whose test split to use: ${DATA_SOURCE_OPTION.help.replace(/^data set: /, '')}` }, ...DATA_OPTIONS]);
}

/** The data source and its options as given on the command line, checked like training's. */
export function dataOf(command: Command): { source: DataSource; options: DataOptions } {
  const source = givenValues<{ data?: DataSource }>(command, [DATA_SOURCE_OPTION]).data ?? DEFAULT_DATA;
  return { source, options: checkDataOptions(source, givenValues<DataOptions>(command, DATA_OPTIONS)) };
}

/** Evenly spaced test rows (the test split is ordered by class). */
async function testRows(command: Command, count: number) {
  const { source, options } = dataOf(command);
  const dataset = await loadDataset(source, options);
  const n = Math.min(count, dataset.test.count);
  const stride = Math.max(1, Math.floor(dataset.test.count / n));
  const rows = Array.from({ length: n }, (_, i) => i * stride);
  const features = dataset.shape.reduce((a, b) => a * b, 1);
  return { dataset, n, x: gatherRows(dataset.test, features, rows), labels: rows.map((r) => dataset.test.labels?.[r] ?? 0) };
}

export function sampleCommand(): Command {
  return withDevice(new Command('sample'))
    .description('Draw samples from the prior of an exported model and write them as a PNG grid.')
    .argument('<model>', 'model folder (encoder.onnx, decoder.onnx, vaekit.json)')
    .option('--n <count>', 'samples', parserFor(positiveInteger), 64)
    .option('--seed <n>', 'seed of ε', parserFor(nonNegativeInteger), DEFAULT_SEED)
    .option('--temperature <t>', 'scales ε (below 1: crisper, less varied)', parserFor(positiveNumber), 1)
    .option('--c <class>', 'class index for a conditional model', parserFor(nonNegativeInteger))
    .option('--out <file>', 'PNG to write', 'samples.png')
    .action((model: string, flags: DeviceFlags & { n: number; seed: number; temperature: number; c?: number; out: string }) =>
      withModel(model, flags, async (vae) => {
        const { height, width, channels, layout } = imageShape(vae);
        const grid = (count: number) => ({ count, height, width, channels, layout, columns: Math.ceil(Math.sqrt(count)) });
        checkPngFits(`--n ${flags.n}`, imageGridSize(grid(flags.n)), () =>
          `--n must be at most ${largestFitting(flags.n, (n) => pngFits(imageGridSize(grid(n))))} for this model's ${height}×${width} images (run again with another --seed for more samples)`);
        const { mean } = await vae.sample(flags.n, { seed: flags.seed, temperature: flags.temperature, c: flags.c });
        await writeImageGrid(flags.out, mean.data, grid(flags.n));
        console.log(`wrote ${flags.out}: ${flags.n} samples (seed ${flags.seed}, temperature ${flags.temperature}, ${vae.provider.decoder})`);
      }));
}

export function reconstructCommand(): Command {
  return withData(withDevice(new Command('reconstruct')))
    .description('Reconstruct test examples through an exported model: originals beside reconstructions, as a PNG.')
    .argument('<model>', 'model folder')
    .option('--count <n>', 'examples', parserFor(positiveInteger), 32)
    .option('--out <file>', 'PNG to write', 'reconstructions.png')
    .action((model: string, flags: DeviceFlags & { count: number; out: string }, command: Command) =>
      withModel(model, flags, async (vae) => {
        const { height, width, channels, layout } = imageShape(vae);
        const grid = (count: number) => ({ count, height, width, channels, columns: 8 });
        const { n, x, labels } = await testRows(command, flags.count);
        checkPngFits(`--count ${n}`, reconstructionGridSize(grid(n)), () =>
          `--count must be at most ${largestFitting(n, (m) => pngFits(reconstructionGridSize(grid(m))))} for this model's ${height}×${width} images`);
        const recon = await vae.reconstruct(inModelLayout(vae, x, n), { c: vae.manifest.condition ? labels : undefined });
        // The originals are the data set's (channel-last); the reconstructions are in the model's layout.
        await writeReconstructionGrid(flags.out, x, toHwc(recon.data, n, { height, width, channels }, layout), grid(n));
        console.log(`wrote ${flags.out}: ${n} test examples beside their reconstructions`);
      }));
}

export function interpolateCommand(): Command {
  return withData(withDevice(new Command('interpolate')))
    .description('Interpolate between the latent codes of pairs of test examples and write the rows as a PNG.')
    .argument('<model>', 'model folder')
    .option('--rows <n>', 'pairs (one row each)', parserFor(positiveInteger), 8)
    .option('--steps <n>', 'images per row, ends included', parserFor(positiveInteger), 10)
    .addOption(new Option('--method <m>', 'interpolation').choices(['lerp', 'slerp']).default('slerp'))
    .option('--seed <n>', 'which pairs (seeded)', parserFor(nonNegativeInteger), DEFAULT_SEED)
    .option('--out <file>', 'PNG to write', 'interpolations.png')
    .action((model: string, flags: DeviceFlags & { rows: number; steps: number; method: 'lerp' | 'slerp'; seed: number; out: string }, command: Command) =>
      withModel(model, flags, async (vae) => {
        const { height, width, channels, layout } = imageShape(vae);
        const grid = (rows: number, steps: number) => ({ count: rows * steps, height, width, channels, layout, columns: steps });
        const fits = (rows: number, steps: number) => pngFits(imageGridSize(grid(rows, steps)));
        checkPngFits(`--rows ${flags.rows} × --steps ${flags.steps}`, imageGridSize(grid(flags.rows, flags.steps)), () => {
          const steps = largestFitting(flags.steps, (s) => fits(flags.rows, s));
          const rows = largestFitting(flags.rows, (r) => fits(r, flags.steps));
          const ways = [steps > 0 && `--steps at most ${steps} with --rows ${flags.rows}`, rows > 0 && `--rows at most ${rows} with --steps ${flags.steps}`];
          return `use ${ways.filter(Boolean).join(', or ') || 'fewer --rows and --steps'}`;
        });
        const { n, x, labels } = await testRows(command, 200);
        const { mu } = await vae.encode(inModelLayout(vae, x, n), { c: vae.manifest.condition ? labels : undefined });
        const J = vae.latentDim;
        const images = new Float32Array(flags.rows * flags.steps * height * width * channels);
        for (let r = 0; r < flags.rows; r++) {
          // Pair r: two examples picked by a simple seeded hash, from different parts of the split.
          const i = (flags.seed * 7919 + r * 104729) % n;
          const j = (i + Math.floor(n / 2) + r * 31) % n;
          const line = await vae.interpolate(mu.data.subarray(i * J, (i + 1) * J), mu.data.subarray(j * J, (j + 1) * J), flags.steps, { method: flags.method });
          images.set(line.mean.data, r * flags.steps * height * width * channels);
        }
        await writeImageGrid(flags.out, images, grid(flags.rows, flags.steps));
        console.log(`wrote ${flags.out}: ${flags.rows} interpolations of ${flags.steps} steps (${flags.method})`);
      }));
}

export function evalCommand(): Command {
  return withData(withDevice(new Command('eval')))
    .description('Score a data set with an exported model: −ELBO and the importance-sampled NLL (nats per example).')
    .argument('<model>', 'model folder')
    .option('--k <n>', 'importance samples', parserFor(positiveInteger), 1000)
    .option('--max <n>', 'score at most n examples (evenly spaced)', parserFor(positiveInteger))
    .option('--seed <n>', 'seed of ε', parserFor(nonNegativeInteger), DEFAULT_SEED)
    .option('--json', 'print one JSON object')
    .action((model: string, flags: DeviceFlags & { k: number; max?: number; seed: number; json?: boolean }, command: Command) =>
      withModel(model, flags, async (vae) => {
        if (flags.k > MAX_IMPORTANCE_SAMPLES) {
          throw new VaekitError('invalid-argument', `--k must be at most ${MAX_IMPORTANCE_SAMPLES} (importance samples per example; time grows with k); found ${flags.k}`);
        }
        const { dataset, n, x, labels } = await testRows(command, flags.max ?? Number.MAX_SAFE_INTEGER);
        const c = vae.manifest.condition ? labels : undefined;
        const start = performance.now();
        const rows = inModelLayout(vae, x, n);
        const elbo = await vae.elbo(rows, { seed: flags.seed, c });
        const nll = await vae.logLikelihood(rows, {
          k: flags.k, seed: flags.seed, c,
          // done/total count (example, sample) pairs: it moves within one example too when K is large.
          onProgress: (done, total) => { if (process.stderr.isTTY) process.stderr.write(`\r  ${Math.floor((100 * done) / total)}%`); },
        });
        if (process.stderr.isTTY) process.stderr.write('\n');
        const result = {
          model: vae.manifest.name, data: dataset.name, examples: n, k: flags.k, provider: vae.provider.decoder,
          negElbo: -elbo.mean, recon: -elbo.logLikelihood.reduce((a, b) => a + b, 0) / n, kl: elbo.kl.reduce((a, b) => a + b, 0) / n,
          iwaeNll: -nll.mean, bitsPerDim: -nll.mean / (vae.inputShape.reduce((a, b) => a * b, 1) * Math.LN2),
          seconds: (performance.now() - start) / 1000,
        };
        if (flags.json) console.log(JSON.stringify(result));
        else {
          console.log(`${result.model} on ${result.examples} ${result.data} test examples (${result.provider}):`);
          console.log(`  −ELBO          ${result.negElbo.toFixed(2)} nats (recon ${result.recon.toFixed(2)} + KL ${result.kl.toFixed(2)})`);
          console.log(`  NLL, K = ${String(flags.k).padEnd(5)} ${result.iwaeNll.toFixed(2)} nats (${result.bitsPerDim.toFixed(4)} bits/dim)`);
          console.log(`  ${result.seconds.toFixed(1)} s`);
        }
      }));
}
