import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { TrainConfig } from './config.js';
import type { EpochMetrics } from './metrics.js';
import { loadLayersModelFile, saveLayersModel } from './model/model-artifacts.js';

export const CHECKPOINT_FORMAT = 'vaekit-checkpoint/1';
const POINTER = 'checkpoint.json';
const FOLDER = 'checkpoints';

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
  optimizer: { specs: tf.io.WeightsManifestEntry[]; accBeta1: number; accBeta2: number };
  history: EpochMetrics[];
  backend: string;
}

export interface Checkpoint {
  state: CheckpointState;
  encoder: tfl.LayersModel;
  decoder: tfl.LayersModel;
  /** Adam's variables in `getWeights()` order, for `setWeights`. */
  optimizerWeights: Array<{ name: string; tensor: tf.Tensor }>;
}

// tfjs' Adam.setWeights recomputes β₁ᵗ with pow() while training multiplies step by step; the
// last bits differ, so a resumed run would drift. We save and restore the exact accumulators.
interface AdamAccumulators {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/**
 * Writes a checkpoint of a run: the folder `checkpoints/epoch-NNNN` first, then the pointer
 * `checkpoint.json` (atomically), then older folders are removed — a crash at any moment leaves
 * the pointer naming a complete checkpoint.
 */
export async function saveCheckpoint(
  runDir: string,
  models: { encoder: tfl.LayersModel; decoder: tfl.LayersModel },
  optimizer: tf.AdamOptimizer,
  state: Omit<CheckpointState, 'format' | 'optimizer'>,
): Promise<void> {
  const name = `epoch-${String(state.epoch).padStart(4, '0')}`;
  const folder = join(runDir, FOLDER, name);
  await rm(folder, { recursive: true, force: true });
  await saveLayersModel(models.encoder, folder, 'encoder');
  await saveLayersModel(models.decoder, folder, 'decoder');
  const namedWeights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(namedWeights);
  namedWeights[0]?.tensor.dispose(); // the iteration count is a fresh scalar; the rest are Adam's variables
  await writeFileAtomic(join(folder, 'optimizer.bin'), new Uint8Array(data));
  const acc = optimizer as unknown as AdamAccumulators;
  const full: CheckpointState = {
    format: CHECKPOINT_FORMAT,
    ...state,
    optimizer: { specs, accBeta1: acc.accBeta1.dataSync()[0]!, accBeta2: acc.accBeta2.dataSync()[0]! },
  };
  await writeFileAtomic(join(folder, 'state.json'), JSON.stringify(full, null, 1));
  await writeFileAtomic(join(runDir, POINTER), JSON.stringify({ format: CHECKPOINT_FORMAT, epoch: state.epoch, folder: `${FOLDER}/${name}` }, null, 1));
  for (const entry of await readdir(join(runDir, FOLDER))) {
    if (entry !== name) await rm(join(runDir, FOLDER, entry), { recursive: true, force: true });
  }
}

/** The state (config, epoch, history…) of the checkpoint `runDir/checkpoint.json` points at, without its tensors. */
export async function loadCheckpointState(runDir: string): Promise<CheckpointState> {
  const folder = await checkpointFolder(runDir);
  return JSON.parse(await readFile(join(folder, 'state.json'), 'utf8')) as CheckpointState;
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
  const bin = await readFile(join(folder, 'optimizer.bin'));
  const map = tf.io.decodeWeights(bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), state.optimizer.specs);
  const optimizerWeights = state.optimizer.specs.map((spec) => ({ name: spec.name, tensor: map[spec.name]! }));
  return { state, encoder, decoder, optimizerWeights };
}

/** Puts a checkpoint's optimizer state into a fresh Adam optimizer, bit for bit. */
export async function restoreOptimizer(optimizer: tf.AdamOptimizer, checkpoint: Checkpoint): Promise<void> {
  await optimizer.setWeights(checkpoint.optimizerWeights);
  const acc = optimizer as unknown as AdamAccumulators;
  acc.accBeta1.assign(tf.scalar(checkpoint.state.optimizer.accBeta1));
  acc.accBeta2.assign(tf.scalar(checkpoint.state.optimizer.accBeta2));
  // setWeights copied them into new variables.
  tf.dispose(checkpoint.optimizerWeights.map((w) => w.tensor));
}
