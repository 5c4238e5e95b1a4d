import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { exportVae, type ExportedVae } from '../../../export/export-vae.js';
import type { WeightPrecision } from '../../../export/graph-builder.js';
import { modelCard } from '../../../export/model-card.js';
import { formatVerification } from '../../../export/verify.js';
import { VaekitError } from '../../errors.js';
import { MANIFEST_FILE } from '../../manifest/schema.js';
import { nodeRuntime } from '../../runtime/node-runtime.js';
import { selectBackend, type TrainBackend } from '../backend/select-backend.js';
import { loadCheckpoint } from './checkpoint.js';
import { trainCommandLine } from './command-line.js';
import type { TrainConfig } from '../config.js';
import { conditionClasses } from '../objective/condition.js';
import { featureCount, gatherRows, oneHotLabels, type Dataset } from '../data/dataset.js';
import { loadDataset, subsetDataset } from '../data/load-dataset.js';
import type { FinalMetrics } from '../objective/metrics.js';
import { loadLayersModelFile } from '../model/model-artifacts.js';
import type { VaeModels } from '../model/types.js';
import { assertWritable, inspectModelFolder } from './output-folder.js';
import { writeModelFolder } from './write-model-folder.js';
import { VAEKIT_VERSION } from '../version.js';
import { manifestText } from '../../vae/calibration.js';
import { exportCalibration } from './export-calibration.js';

/** Test rows fed through the graphs at export to compare ONNX Runtime with tfjs. */
const VERIFICATION_ROWS = 64;

export interface ExportRunOptions {
  /** Model folder to write: encoder.onnx, decoder.onnx, vaekit.json, README.md. */
  out: string;
  precision?: WeightPrecision;
  /**
   * Write into a folder that holds files vaekit did not write: only vaekit's entries are replaced,
   * one by one; the others stay byte for byte. Without it such a folder is refused.
   */
  force?: boolean;
  /** Model name in the manifest; default: the output folder's name. */
  name?: string;
  backend?: TrainBackend | 'auto';
  /** Use these models and data instead of loading them from the run folder (the trainer does). */
  models?: VaeModels;
  dataset?: Dataset;
  log?: (line: string) => void;
}

export interface ExportRunResult extends ExportedVae {
  out: string;
  /** True when `force` wrote vaekit's files one by one beside files it did not write; false when the folder was swapped in whole. */
  inPlace: boolean;
  seconds: number;
}

async function readRun(runDir: string): Promise<{ config: TrainConfig; final: FinalMetrics | null }> {
  let config: TrainConfig;
  try {
    config = JSON.parse(await readFile(join(runDir, 'config.json'), 'utf8'));
  } catch (cause) {
    throw new VaekitError('checkpoint-missing', `'run' must be a run folder written by \`vaekit train\`; ${join(runDir, 'config.json')} is missing or unreadable`, { cause });
  }
  const lines = (await readFile(join(runDir, 'metrics.jsonl'), 'utf8').catch(() => '')).trim().split('\n').filter(Boolean);
  const last = lines.length ? JSON.parse(lines[lines.length - 1]!) : null;
  return { config, final: last?.final ? (last as FinalMetrics) : null };
}

async function loadRunModels(runDir: string, log: (line: string) => void): Promise<VaeModels> {
  const folder = join(runDir, 'model');
  if (existsSync(join(folder, 'encoder.json'))) {
    return { encoder: await loadLayersModelFile(folder, 'encoder'), decoder: await loadLayersModelFile(folder, 'decoder') };
  }
  const checkpoint = await loadCheckpoint(runDir);
  log(`training has not finished: exporting the checkpoint of epoch ${checkpoint.state.epoch}`);
  return { encoder: checkpoint.encoder, decoder: checkpoint.decoder };
}

/**
 * Exports a training run's final model (or, for an unfinished run, its last checkpoint) to an ONNX
 * model folder, verifying both graphs in onnxruntime-node against tfjs on real test rows first:
 * a failed verification writes nothing. The folder appears all at once. A target holding files
 * vaekit did not write is refused (`refused-overwrite`) unless `force` (see output-folder.ts).
 *
 * @example
 * ```ts
 * import { exportRun } from 'vaekit/train';
 * const { manifest, verification } = await exportRun('runs/mnist', { out: 'models/mnist-mlp' });
 * ```
 */
export async function exportRun(runDirInput: string, options: ExportRunOptions): Promise<ExportRunResult> {
  const start = performance.now();
  const runDir = resolve(runDirInput);
  const out = resolve(options.out);
  const log = options.log ?? (() => undefined);
  const { config, final } = await readRun(runDir);
  // Refuse a foreign target before the minutes of conversion and verification, not after.
  assertWritable(`'out'`, out, 'model', await inspectModelFolder(out), options.force ?? false);
  if (!options.models) await selectBackend(options.backend ?? 'auto');
  const models = options.models ?? (await loadRunModels(runDir, log));
  const dataset = options.dataset ?? subsetDataset(await loadDataset(config.data, config.dataOptions ?? {}), config);
  const features = featureCount(dataset);
  const count = Math.min(VERIFICATION_ROWS, dataset.test.count);
  const stride = Math.max(1, Math.floor(dataset.test.count / count));
  const picks = Array.from({ length: count }, (_, i) => i * stride);
  const rows = gatherRows(dataset.test, features, picks);
  const classes = conditionClasses(config, dataset);
  const exported = await exportVae(models, {
    name: options.name ?? out.split('/').pop()!,
    input: { shape: dataset.shape, layout: dataset.layout, range: dataset.valueRange, scaling: dataset.scaling ?? null },
    latentDim: config.architecture.latentDim,
    likelihood: config.likelihood,
    ...(classes ? { condition: { classes, labels: [...dataset.classes!] } } : {}),
    precision: options.precision ?? 'fp32',
    producerVersion: VAEKIT_VERSION,
    training: {
      dataset: dataset.source,
      epochs: config.epochs,
      seed: config.seed,
      backend: final?.backend ?? 'unknown',
      config: config as unknown as Record<string, unknown>,
      metrics: final
        ? {
            testNegElbo: final.testNegElbo, testRecon: final.testRecon, testKl: final.testKl,
            testIwaeNll: final.testIwaeNll, iwaeSamples: final.iwaeSamples, testBitsPerDim: final.testBitsPerDim,
            activeUnits: final.activeUnits,
            ...(final.latentMatch ? { latentMmd: final.latentMatch.mmd } : {}),
          }
        : {},
    },
    verify: {
      backend: nodeRuntime(), rows, seed: config.seed,
      ...(classes ? { conditions: oneHotLabels(dataset.test, classes, picks) } : {}),
    },
  });
  const report = exported.verification!;
  log(formatVerification(report));
  if (exported.precisionCost) log(`fp16 weights against the fp32 model:\n${formatVerification(exported.precisionCost, { gate: false })}`);
  if (!report.passed) {
    throw new VaekitError(
      'verification-failed',
      `the exported graphs differ from the tfjs model beyond the tolerance; nothing was written to ${out}\n${formatVerification(report)}`,
    );
  }
  // Anomaly percentiles need the score distribution on held-out data: the test split, at the run's IWAE k.
  const calibration = await exportCalibration(exported, dataset, config.iwaeSamples, nodeRuntime(), log);
  if (calibration) exported.manifest.calibration = calibration;
  // The run's pictures travel with the model: people judge a generative model by looking.
  const pictures: Record<string, Uint8Array> = {};
  for (const file of ['samples.png', 'reconstructions.png', 'latent-match.png']) {
    if (existsSync(join(runDir, file))) pictures[file] = await readFile(join(runDir, file));
  }
  const card = modelCard({
    pictures: Object.keys(pictures),
    manifest: exported.manifest,
    verification: report,
    precisionCost: exported.precisionCost,
    trainCommand: trainCommandLine(config),
    exportCommand: `vaekit export ${runDirInput} --out ${options.out}${options.precision === 'fp16' ? ' --precision fp16' : ''}`,
  });
  const { inPlace } = await writeModelFolder(
    out,
    {
      'encoder.onnx': exported.graphs.encoder,
      'decoder.onnx': exported.graphs.decoder,
      [MANIFEST_FILE]: manifestText(exported.manifest),
      'README.md': card,
      ...pictures,
    },
    { force: options.force ?? false },
  );
  return { ...exported, out, inPlace, seconds: (performance.now() - start) / 1000 };
}
