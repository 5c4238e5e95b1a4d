import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { syncDirectory } from './durable-fs.js';
import { CHECKPOINT_FOLDER, CHECKPOINT_FOLDER_NAME, removeOwnFolder } from './owned-entries.js';
import type { TrainConfig } from '../config.js';
import type { EpochMetrics } from '../objective/metrics.js';
import { loadLayersModelFile, saveLayersModel } from '../model/model-artifacts.js';

export const CHECKPOINT_FORMAT = 'vaekit-checkpoint/1';
const POINTER = 'checkpoint.json';
const FOLDER = 'checkpoints';

/** Adam's state as a checkpoint records it; the tensors are in the optimizer's `.bin` file. */
export interface OptimizerState {
  specs: tf.io.WeightsManifestEntry[];
  accBeta1: number;
  accBeta2: number;
}

/** Optimizers of an adversarial autoencoder besides the main one (their files: `optimizer-<name>.bin`). */
export type ExtraOptimizerName = 'discriminator' | 'generator';

/** What a checkpoint restores besides the weights. */
export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  /** Epochs completed. */
  epoch: number;
  /** Optimizer steps taken. */
  step: number;
  config: TrainConfig;
  /** Position of the training ε stream of the shared sampler. */
  samplerPosition: number;
  /** The Adam of the encoder and decoder (reconstruction / ELBO). */
  optimizer: OptimizerState;
  /** AAE: the discriminator's Adam and the encoder's generator-phase Adam. */
  extraOptimizers?: Partial<Record<ExtraOptimizerName, OptimizerState>>;
  history: EpochMetrics[];
  backend: string;
}

/** The models a checkpoint holds: the exported pair and, for an AAE, the latent discriminator. */
export interface CheckpointModels {
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  discriminator?: tfl.LayersModel;
}

export interface CheckpointOptimizers {
  model: tf.AdamOptimizer;
  discriminator?: tf.AdamOptimizer;
  generator?: tf.AdamOptimizer;
}

type NamedWeights = Array<{ name: string; tensor: tf.Tensor }>;

export interface Checkpoint extends CheckpointModels {
  state: CheckpointState;
  /** Adam's variables in `getWeights()` order, for `setWeights`, per optimizer. */
  optimizerWeights: NamedWeights;
  extraOptimizerWeights: Partial<Record<ExtraOptimizerName, NamedWeights>>;
}

// tfjs' Adam.setWeights recomputes β₁ᵗ with pow() while training multiplies step by step; the
// last bits differ, so a resumed run would drift. We save and restore the exact accumulators.
interface AdamAccumulators {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

const optimizerFile = (name: 'model' | ExtraOptimizerName) => (name === 'model' ? 'optimizer.bin' : `optimizer-${name}.bin`);

async function writeOptimizer(folder: string, name: 'model' | ExtraOptimizerName, optimizer: tf.AdamOptimizer): Promise<OptimizerState> {
  const namedWeights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(namedWeights);
  namedWeights[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the rest are Adam's variables
  await writeFileAtomic(join(folder, optimizerFile(name)), new Uint8Array(data));
  const acc = optimizer as unknown as AdamAccumulators;
  return { specs, accBeta1: acc.accBeta1.dataSync()[0]!, accBeta2: acc.accBeta2.dataSync()[0]! };
}

async function readOptimizer(folder: string, name: 'model' | ExtraOptimizerName, state: OptimizerState): Promise<NamedWeights> {
  const bin = await readFile(join(folder, optimizerFile(name)));
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), state.specs);
  return state.specs.map((spec) => ({ name: spec.name, tensor: map[spec.name]! }));
}

const EXTRA_OPTIMIZERS: ExtraOptimizerName[] = ['discriminator', 'generator'];

/**
 * Writes a checkpoint of a run: the folder `checkpoints/epoch-NNNN` first, each file flushed to
 * the disk, then the pointer `checkpoint.json` (atomically), then older checkpoint folders are
 * removed — a crash or power cut at any moment leaves the pointer naming a complete checkpoint.
 * Only vaekit's own files are removed: anything else in `checkpoints/` stays.
 */
export async function saveCheckpoint(
  runDir: string,
  models: CheckpointModels,
  optimizers: CheckpointOptimizers,
  state: Omit<CheckpointState, 'format' | 'optimizer' | 'extraOptimizers'>,
): Promise<void> {
  const name = `epoch-${String(state.epoch).padStart(4, '0')}`;
  const folder = join(runDir, FOLDER, name);
  await removeOwnFolder(folder, CHECKPOINT_FOLDER); // a stale folder of this epoch (a killed run)
  await saveLayersModel(models.encoder, folder, 'encoder');
  await saveLayersModel(models.decoder, folder, 'decoder');
  if (models.discriminator) await saveLayersModel(models.discriminator, folder, 'discriminator');
  const extraOptimizers: Partial<Record<ExtraOptimizerName, OptimizerState>> = {};
  for (const extra of EXTRA_OPTIMIZERS) {
    const optimizer = optimizers[extra];
    if (optimizer) extraOptimizers[extra] = await writeOptimizer(folder, extra, optimizer);
  }
  const full: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    ...state,
    optimizer: await writeOptimizer(folder, 'model', optimizers.model),
    ...(Object.keys(extraOptimizers).length ? { extraOptimizers } : {}),
  };
  await writeFileAtomic(join(folder, 'state.json'), JSON.stringify(full, null, 1));
  await syncDirectory(join(runDir, FOLDER));
  await writeFileAtomic(join(runDir, POINTER), JSON.stringify({ format: CHECKPOINT_FORMAT, epoch: state.epoch, folder: `${FOLDER}/${name}` }, null, 1));
  for (const entry of await readdir(join(runDir, FOLDER))) {
    const path = join(runDir, FOLDER, entry);
    if (entry !== name && CHECKPOINT_FOLDER_NAME.test(entry) && (await lstat(path)).isDirectory()) await removeOwnFolder(path, CHECKPOINT_FOLDER);
  }
  await syncDirectory(join(runDir, FOLDER));
}

async function checkpointFolder(runDir: string): Promise<string> {
  let pointer: { format?: string; folder?: string };
  try {
    pointer = JSON.parse(await readFile(join(runDir, POINTER), 'utf8'));
  } catch (cause) {
    throw new VaekitError(
      'checkpoint-missing',
      `'resume' must name a run folder holding ${POINTER}; found none in ${runDir} (${(cause as Error).message.split(':')[0]})`,
      { cause },
    );
  }
  if (pointer.format !== CHECKPOINT_FORMAT || typeof pointer.folder !== 'string') {
    throw new VaekitError('checkpoint-mismatch', `${join(runDir, POINTER)}: expected format ${CHECKPOINT_FORMAT}; found ${JSON.stringify(pointer.format)}`);
  }
  return join(runDir, pointer.folder);
}

/** Reads the checkpoint that `runDir/checkpoint.json` points at (a tfjs backend must be set). */
export async function loadCheckpoint(runDir: string): Promise<Checkpoint> {
  const folder = await checkpointFolder(runDir);
  const state = JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as CheckpointState;
  const encoder = await loadLayersModelFile(folder, 'encoder');
  const decoder = await loadLayersModelFile(folder, 'decoder');
  const optimizerWeights = await readOptimizer(folder, 'model', state.optimizer);
  const extraOptimizerWeights: Checkpoint['extraOptimizerWeights'] = {};
  for (const extra of EXTRA_OPTIMIZERS) {
    const recorded = state.extraOptimizers?.[extra];
    if (recorded) extraOptimizerWeights[extra] = await readOptimizer(folder, extra, recorded);
  }
  const checkpoint: Checkpoint = { state, encoder, decoder, optimizerWeights, extraOptimizerWeights };
  if (state.config.objective === 'aae') checkpoint.discriminator = await loadLayersModelFile(folder, 'discriminator');
  return checkpoint;
}

/** Puts a checkpoint's optimizer state (`model`, or an AAE's extra one) into a fresh Adam optimizer, bit for bit. */
export async function restoreOptimizer(
  optimizer: tf.AdamOptimizer,
  checkpoint: Checkpoint,
  name: 'model' | ExtraOptimizerName = 'model',
): Promise<void> {
  const weights = name === 'model' ? checkpoint.optimizerWeights : checkpoint.extraOptimizerWeights[name];
  const recorded = name === 'model' ? checkpoint.state.optimizer : checkpoint.state.extraOptimizers?.[name];
  if (!weights || !recorded) {
    throw new VaekitError('checkpoint-mismatch', `the checkpoint of epoch ${checkpoint.state.epoch} holds no '${name}' optimizer state`);
  }
  await optimizer.setWeights(weights);
  const acc = optimizer as unknown as AdamAccumulators;
  acc.accBeta1.assign(tf.scalar(recorded.accBeta1));
  acc.accBeta2.assign(tf.scalar(recorded.accBeta2));
  // setWeights copied them into new variables.
  tf.dispose(weights.map((w) => w.tensor));
}
