import { Command, InvalidArgumentError, Option } from 'commander';
import { join, resolve } from 'node:path';
import { exportRun } from '../train/run/export-run.js';
import { assertWritable, inspectModelFolder } from '../train/run/output-folder.js';
import { printExport } from './export-command.js';
import { VaekitError } from '../errors.js';
import { DEFAULTS, OBJECTIVES, type Objective } from '../train/config.js';
import type { DataOptions } from '../train/data/data-options.js';
import { TRAIN_BACKENDS } from '../train/backend/select-backend.js';
import { DATA_SOURCES } from '../train/data/load-dataset.js';
import { LIKELIHOOD_KINDS } from '../train/objective/likelihood.js';
import { resumeTraining, train, type TrainResult } from '../train/trainer.js';
import { integerList, nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from './parse-flags.js';
import { createTrainProgress } from './train-progress.js';

const RUN_FILES: Record<string, string> = {
  'config.json': 'the run configuration',
  'metrics.jsonl': 'one JSON object per epoch, then the final metrics',
  'checkpoint.json': 'pointer to the latest checkpoint (resume with --resume)',
  'loss-curve.png': 'train/test −ELBO and KL per epoch',
  'samples.png': '64 samples from the prior',
  'reconstructions.png': 'test digits beside their reconstructions',
  'latent-match.png': 'each latent dimension of the encoded test split against N(0, 1), with the MMD²',
  'model/': 'the trained encoder and decoder (TensorFlow.js layers format)',
};

async function assertExportTarget(target: string, force: boolean): Promise<void> {
  assertWritable(`the export folder`, target, 'model', await inspectModelFolder(target), force);
}

function printRun(result: TrainResult): void {
  console.log(`\nrun folder: ${result.runDir}`);
  const shown = new Set<string>();
  for (const file of result.files) {
    const key = file.includes('/') ? `${file.split('/')[0]}/` : file;
    if (shown.has(key) || key === 'checkpoints/') continue;
    shown.add(key);
    console.log(`  ${key.padEnd(20)} ${RUN_FILES[key] ?? ''}`);
  }
}

/** The data flags given on the command line, as the run's DataOptions. */
function dataOptionsFrom(flags: Record<string, unknown>): DataOptions {
  const options: DataOptions = {};
  const copy = (flag: string, key: keyof DataOptions) => {
    if (flags[flag] !== undefined) (options as Record<string, unknown>)[key] = flags[flag];
  };
  copy('trainImages', 'trainImages');
  copy('trainLabels', 'trainLabels');
  copy('testImages', 'testImages');
  copy('testLabels', 'testLabels');
  copy('dataDir', 'dir');
  copy('csv', 'file');
  copy('label', 'label');
  copy('testFraction', 'testFraction');
  if (flags['columns'] !== undefined) options.columns = String(flags['columns']).split(',').map((c) => c.trim());
  if (flags['data'] === 'csv') options.scaling = flags['scaling'] as DataOptions['scaling'];
  return options;
}

export function trainCommand(): Command {
  const cmd = new Command('train')
    .description('Train a VAE with TensorFlow.js and write a run folder (metrics, checkpoints, pictures, model).')
    .addOption(new Option('--data <name>', 'data set').choices(DATA_SOURCES).default(DEFAULTS.data))
    .option('--train-images <file>', 'idx: training images (IDX, .gz or raw)')
    .option('--train-labels <file>', 'idx: training labels (optional)')
    .option('--test-images <file>', 'idx: test images')
    .option('--test-labels <file>', 'idx: test labels (optional)')
    .option('--data-dir <dir>', 'png: the image folder (labels from sub-folders); fashion-mnist: its IDX folder')
    .option('--csv <file>', 'csv: the table (header row required)')
    .option('--columns <names>', 'csv: feature columns, comma-separated (default: every numeric column but the label)')
    .option('--label <column>', 'csv: the label column')
    .addOption(new Option('--scaling <kind>', 'csv: feature scaling fitted on the training split').choices(['min-max', 'standardize', 'none']).default('min-max'))
    .option('--test-fraction <x>', 'png, csv: share held out for test (seeded)', positiveNumber)
    .option('--epochs <n>', 'epochs to train', positiveInteger, DEFAULTS.epochs)
    .option('--seed <n>', 'seed of weights, shuffling and every ε', nonNegativeInteger, DEFAULTS.seed)
    .option('--out <dir>', 'run folder to write (default runs/<data>-seed<seed>)')
    .option('--resume <dir>', 'continue the run in <dir> from its last checkpoint (may be combined with --epochs and --backend)')
    .option('--force', 'write into a --out folder (or its onnx/) holding files vaekit did not write: only vaekit\'s own entries are replaced, the others stay untouched')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['auto', ...TRAIN_BACKENDS]).default('auto'))
    .option('--batch-size <n>', 'examples per step', positiveInteger, DEFAULTS.batchSize)
    .option('--lr <x>', 'Adam learning rate', positiveNumber, DEFAULTS.learningRate)
    .addOption(new Option('--condition <kind>', 'label: a conditional VAE on the class labels (one-hot c reaches every dense layer, plus a per-class output offset)').choices(['label']))
    .addOption(new Option('--arch <kind>', 'encoder/decoder architecture (conv: images only)').choices(['mlp', 'conv']).default('mlp'))
    .addOption(
      new Option('--hidden <sizes>', 'dense layer sizes, comma-separated (decoder mirrors)')
        .argParser(integerList)
        .default(undefined, `${DEFAULTS.hidden.join(',')} (mlp), ${DEFAULTS.convHidden.join(',')} (conv)`),
    )
    .option('--channels <filters>', `conv: filters of each strided conv layer (default ${DEFAULTS.channels.join(',')})`, integerList)
    .option('--stride <n>', `conv: stride of every conv layer (default ${DEFAULTS.stride})`, positiveInteger)
    .option('--latent-dim <n>', 'latent dimensions J', positiveInteger, DEFAULTS.latentDim)
    .addOption(new Option('--likelihood <kind>', 'decoder likelihood p(x|z)').choices(LIKELIHOOD_KINDS).default(DEFAULTS.likelihood))
    .option('--sigma <x>', 'σ of the gaussian likelihood', positiveNumber, DEFAULTS.sigma)
    .option('--logvar-floor <x>', 'gaussian-learned: floor of the learned log-variance (default -6)', (v: string) => {
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number.');
      return n;
    })
    .addOption(
      new Option('--objective <name>', "elbo: a VAE; aae: an adversarial autoencoder (a discriminator on z replaces the KL term)")
        .choices([...OBJECTIVES])
        .default(DEFAULTS.objective),
    )
    .option('--adversarial-lr <x>', 'aae: Adam learning rate (β₁ 0.5) of the discriminator and of the encoder\'s adversarial phase', positiveNumber, DEFAULTS.adversarialLearningRate)
    .option('--beta <x>', 'weight of the KL term (β-VAE when > 1)', nonNegativeNumber, DEFAULTS.beta)
    .option('--warmup <steps>', 'KL warm-up: β ramps from 0 over this many steps', nonNegativeInteger, DEFAULTS.warmupSteps)
    .option('--free-bits <nats>', 'floor of each latent dimension\'s KL (nats)', nonNegativeNumber, DEFAULTS.freeBits)
    .option('--mc-samples <L>', 'Monte Carlo samples of z per example', positiveInteger, DEFAULTS.mcSamples)
    .option('--iwae-samples <K>', 'importance samples of the final test NLL (0 = skip)', nonNegativeInteger, DEFAULTS.iwaeSamples)
    .option('--max-train <n>', 'train on a seeded subset of n examples', positiveInteger)
    .option('--max-test <n>', 'evaluate on a seeded subset of n examples', positiveInteger)
    .option('--no-export', 'skip exporting the trained model to ONNX (<out>/onnx) at the end')
    .addOption(new Option('--precision <p>', 'weight precision of the exported graphs').choices(['fp32', 'fp16']).default('fp32'))
    .addHelpText(
      'after',
      '\nExamples:\n  vaekit train --data mnist --epochs 20 --seed 1 --out runs/mnist\n  vaekit train --resume runs/mnist\n' +
        '\n--out must be missing, empty or a run folder vaekit wrote; any other folder is refused unless --force.\n',
    )
    .action(async (flags: Record<string, unknown>, command: Command) => {
      const onEvent = createTrainProgress();
      const force = flags['force'] === true;
      let result: TrainResult;
      if (flags['resume'] !== undefined) {
        const allowed = new Set(['resume', 'epochs', 'backend', 'export', 'precision', 'force']);
        const conflicting = command.options
          .map((o) => o.attributeName())
          .filter((name) => !allowed.has(name) && command.getOptionValueSource(name) === 'cli');
        if (conflicting.length) {
          throw new VaekitError(
            'invalid-argument',
            `--resume continues a run with its saved configuration; it cannot be combined with ${conflicting.map((n) => `--${n.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')}`,
          );
        }
        // Refuse a foreign export target now, not after the training.
        if (flags['export'] !== false) await assertExportTarget(join(resolve(flags['resume'] as string), 'onnx'), force);
        result = await resumeTraining(flags['resume'] as string, {
          backend: flags['backend'] as never,
          epochs: command.getOptionValueSource('epochs') === 'cli' ? (flags['epochs'] as number) : undefined,
          onEvent,
        });
      } else {
        result = await train({
          out: (flags['out'] as string | undefined) ?? `runs/${flags['data']}-seed${flags['seed']}`,
          force,
          data: flags['data'] as string,
          dataOptions: dataOptionsFrom(flags),
          epochs: flags['epochs'] as number,
          seed: flags['seed'] as number,
          backend: flags['backend'] as never,
          batchSize: flags['batchSize'] as number,
          learningRate: flags['lr'] as number,
          arch: flags['arch'] as 'mlp' | 'conv',
          condition: (flags['condition'] as 'label' | undefined) ?? null,
          hidden: flags['hidden'] as number[] | undefined,
          channels: flags['channels'] as number[] | undefined,
          stride: flags['stride'] as number | undefined,
          latentDim: flags['latentDim'] as number,
          likelihood: flags['likelihood'] as 'bernoulli' | 'gaussian' | 'gaussian-learned',
          objective: flags['objective'] as Objective,
          adversarialLearningRate: flags['adversarialLr'] as number,
          sigma: flags['sigma'] as number,
          logvarFloor: flags['logvarFloor'] as number | undefined,
          beta: flags['beta'] as number,
          warmupSteps: flags['warmup'] as number,
          freeBits: flags['freeBits'] as number,
          mcSamples: flags['mcSamples'] as number,
          iwaeSamples: flags['iwaeSamples'] as number,
          maxTrain: (flags['maxTrain'] as number | undefined) ?? null,
          maxTest: (flags['maxTest'] as number | undefined) ?? null,
          onEvent,
        });
      }
      printRun(result);
      if (flags['export'] !== false && result.final) {
        console.log('\nexporting to ONNX and verifying against tfjs…');
        const exported = await exportRun(result.runDir, {
          out: join(result.runDir, 'onnx'),
          precision: flags['precision'] as 'fp32' | 'fp16',
          models: result.models,
          dataset: result.dataset,
          force,
          log: (line) => console.log(line),
        });
        printExport(exported);
      }
    });
  return cmd;
}
