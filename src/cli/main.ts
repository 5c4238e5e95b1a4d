#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { VaekitError } from '../errors.js';
import { VAEKIT_VERSION } from '../train/version.js';
import { calibrateCommand } from './calibrate-command.js';
import { exportCommand } from './export-command.js';
import { importCommand } from './import-command.js';
import { flagMessage } from './options.js';
import { evalCommand, interpolateCommand, reconstructCommand, sampleCommand } from './model-commands.js';
import { scoreCommand } from './score-command.js';
import { serveCommand } from './serve-command.js';
import { trainCommand } from './train-command.js';
import { tritonCommand } from './triton-command.js';
import { workerCommand } from './worker-command.js';

const program = new Command('vaekit')
  .description('Train Variational Autoencoders with TensorFlow.js, export them to ONNX, run them with ONNX Runtime.')
  .version(VAEKIT_VERSION, '-V, --version', 'print the version of vaekit')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .addCommand(trainCommand().exitOverride())
  .addCommand(exportCommand().exitOverride())
  .addCommand(importCommand().exitOverride())
  .addCommand(sampleCommand().exitOverride())
  .addCommand(reconstructCommand().exitOverride())
  .addCommand(interpolateCommand().exitOverride())
  .addCommand(evalCommand().exitOverride())
  .addCommand(calibrateCommand().exitOverride())
  .addCommand(scoreCommand().exitOverride())
  .addCommand(serveCommand().exitOverride())
  .addCommand(tritonCommand().exitOverride())
  .addCommand(workerCommand().exitOverride());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed the message; usage errors exit 2, help and version 0.
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof VaekitError) {
    console.error(`vaekit: error: ${flagMessage(error.message)}`);
    process.exitCode = 1;
  } else {
    // Bad input always surfaces as a VaekitError; anything else is a bug, so keep its stack.
    console.error('vaekit: internal error (please report it with this trace):');
    console.error(error);
    process.exitCode = 1;
  }
}
