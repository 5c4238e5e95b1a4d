import { Command } from 'commander';
import { join, resolve } from 'node:path';
import { VaekitError } from '../errors.js';
import type { TrainConfigInput } from '../train/config.js';
import { DATA_OPTIONS, DATA_SOURCE_OPTION, DEFAULT_DATA, checkDataOptions, type DataOptions, type DataSource } from '../train/options/data-options.js';
import { RESUME_OPTIONS, RUN_OPTIONS } from '../train/options/run-options.js';
import { TRAIN_OPTIONS } from '../train/options/train-options.js';
import { TRAINING_PEERS, assertPeers } from '../optional-peers.js';
import { DEFAULT_SEED } from '../sampler/index.js';
import { assertWritable, inspectModelFolder } from '../train/run/output-folder.js';
import type { TrainResult } from '../train/trainer.js';
import { printExport } from './export-command.js';
import { addOptions, givenFlags, givenValues } from './options.js';

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

export function trainCommand(): Command {
  const cmd = new Command('train').description('Train a VAE with TensorFlow.js and write a run folder (metrics, checkpoints, pictures, model).');
  // Every flag comes from the option tables: data (shared with eval, reconstruct, interpolate), training, the run.
  addOptions(cmd, [DATA_SOURCE_OPTION, ...DATA_OPTIONS, ...TRAIN_OPTIONS, ...RUN_OPTIONS]);
  cmd
    .addHelpText(
      'after',
      '\nExamples:\n  vaekit train --data mnist --epochs 20 --seed 1 --out runs/mnist\n  vaekit train --resume runs/mnist\n' +
        '\n--out must be missing, empty or a run folder vaekit wrote; any other folder is refused unless --force.\n',
    )
    .action(async (_flags: unknown, command: Command) => {
      // The training stack is an optional peer: check it, then load it (static imports would fail first).
      assertPeers('vaekit train', TRAINING_PEERS);
      const [{ train, resumeTraining }, { exportRun }, { createTrainProgress }] = await Promise.all([
        import('../train/trainer.js'),
        import('../train/run/export-run.js'),
        import('./train-progress.js'),
      ]);
      const onEvent = createTrainProgress();
      const run = givenValues<{ out?: string; resume?: string; backend?: 'auto' | 'tensorflow' | 'wasm' | 'cpu'; force?: boolean; export?: boolean; precision?: 'fp32' | 'fp16' }>(command, RUN_OPTIONS);
      const force = run.force === true;
      const precision = run.precision ?? 'fp32';
      let result: TrainResult;
      if (run.resume !== undefined) {
        const all = [DATA_SOURCE_OPTION, ...DATA_OPTIONS, ...TRAIN_OPTIONS, ...RUN_OPTIONS];
        const conflicting = givenFlags(command, all.filter((spec) => !(RESUME_OPTIONS as readonly string[]).includes(spec.key)));
        if (conflicting.length) {
          throw new VaekitError('invalid-argument', `--resume continues a run with its saved configuration; it cannot be combined with ${conflicting.join(', ')}`);
        }
        // Refuse a foreign export target now, not after the training.
        if (run.export !== false) await assertExportTarget(join(resolve(run.resume), 'onnx'), force);
        const { epochs, workers } = givenValues<{ epochs?: number; workers?: number | 'auto' }>(command, TRAIN_OPTIONS);
        result = await resumeTraining(run.resume, { backend: run.backend, epochs, workers, onEvent });
      } else {
        const data = givenValues<{ data?: DataSource }>(command, [DATA_SOURCE_OPTION]).data ?? DEFAULT_DATA;
        const dataOptions = checkDataOptions(data, givenValues<DataOptions>(command, DATA_OPTIONS));
        const config = givenValues<TrainConfigInput>(command, TRAIN_OPTIONS);
        result = await train({
          ...config,
          data,
          dataOptions,
          out: run.out ?? `runs/${data}-seed${config.seed ?? DEFAULT_SEED}`,
          force,
          backend: run.backend,
          onEvent,
        });
      }
      printRun(result);
      if (run.export !== false && result.final) {
        console.log('\nexporting to ONNX and verifying against tfjs…');
        const exported = await exportRun(result.runDir, {
          out: join(result.runDir, 'onnx'),
          precision,
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
