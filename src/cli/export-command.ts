import { Command } from 'commander';
import { join } from 'node:path';
import { TRAINING_PEERS, assertPeers } from '../optional-peers.js';
import { runOption } from '../train/options/run-options.js';
import type { ExportRunResult } from '../train/run/export-run.js';
import { commanderOption } from './options.js';

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** Prints where the model went and what it holds. */
export function printExport(result: ExportRunResult): void {
  const { encoder, decoder } = result.manifest.graphs;
  console.log(`\nmodel folder: ${result.out} (${result.manifest.precision}, exported and verified in ${result.seconds.toFixed(1)} s)`);
  console.log(`  encoder.onnx  ${kib(encoder.bytes).padStart(10)}  ${encoder.parameters.toLocaleString('en-US')} parameters`);
  console.log(`  decoder.onnx  ${kib(decoder.bytes).padStart(10)}  ${decoder.parameters.toLocaleString('en-US')} parameters`);
  console.log('  vaekit.json   the manifest: shapes, likelihood, SHA-256 of each graph, training record');
  console.log('  README.md     the model card');
  // A swapped folder is a new folder: a shell sitting in the old one sees it empty until it re-enters.
  if (result.out === process.cwd() && !result.inPlace) console.log('  (the folder was replaced as a whole: `cd .` to see the new files)');
}

export function exportCommand(): Command {
  return new Command('export')
    .description('Export a training run to ONNX (encoder.onnx, decoder.onnx, vaekit.json, model card), verified against tfjs.')
    .argument('<run>', 'run folder written by `vaekit train`')
    .option('--out <dir>', 'model folder to write (default <run>/onnx)')
    .option('--name <name>', 'model name in the manifest (default: the folder name)')
    // The same precision, force and backend options as `vaekit train` (one table).
    .addOption(commanderOption(runOption('precision')))
    .addOption(commanderOption(runOption('force')))
    .addOption(commanderOption(runOption('backend')))
    .addHelpText(
      'after',
      '\nExample:\n  vaekit export runs/mnist-mlp --out models/mnist-mlp\n' +
        '\n--out must be missing, empty or a model folder vaekit wrote (replaced as a whole, atomically);\nany other folder is refused unless --force.\n',
    )
    .action(async (run: string, flags: { out?: string; precision: 'fp32' | 'fp16'; name?: string; backend: 'auto'; force?: boolean }) => {
      // Exporting a run loads its tfjs checkpoint and verifies on a tfjs backend: the training stack.
      assertPeers('vaekit export', TRAINING_PEERS);
      const { exportRun } = await import('../train/run/export-run.js');
      const result = await exportRun(run, {
        out: flags.out ?? join(run, 'onnx'),
        precision: flags.precision,
        name: flags.name,
        backend: flags.backend,
        force: flags.force === true,
        log: (line) => console.log(line),
      });
      printExport(result);
    });
}
