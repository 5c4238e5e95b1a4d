/**
 * A vaekit model as an NVIDIA Triton model repository: the encoder and the decoder become two
 * Triton models (`<name>-encoder`, `<name>-decoder`), each a folder with config.pbtxt and
 * version 1's model.onnx (the graph's bytes, unchanged), and the manifest goes to the
 * repository's top level as vaekit.json, where Triton does not look (it loads every folder of
 * the repository as a model, and ignores files there):
 *
 *   DIR/<name>-encoder/config.pbtxt   DIR/<name>-encoder/1/model.onnx
 *   DIR/<name>-decoder/config.pbtxt   DIR/<name>-decoder/1/model.onnx
 *   DIR/vaekit.json
 *
 * This file only computes the files (no I/O): `vaekit triton` (src/cli/triton-command.ts) writes them.
 */
import { VaekitError, describeValue } from '../errors.js';
import { fixedBatch } from '../manifest/graph-batch.js';
import { inspectGraph, type GraphFacts, type GraphValueInfo } from '../manifest/graph-inspection.js';
import { MANIFEST_FILE, type GraphRole, type VaeManifest } from '../manifest/schema.js';
import { tritonModelConfig, type TritonTensor } from './model-config.js';

/** Rows Triton may batch into one call of a graph with a symbolic batch dimension, by default. */
export const DEFAULT_MAX_BATCH_SIZE = 256;
/** How long Triton's dynamic batcher may hold a request to fill a batch, by default (µs). */
export const DEFAULT_MAX_QUEUE_DELAY_MICROSECONDS = 100;
/** Where the manifest goes, relative to the repository. */
export const TRITON_MANIFEST_PATH = MANIFEST_FILE;

/** A Triton model name: a folder name Triton and every shell take as it is. */
const MODEL_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
const ROLES: readonly GraphRole[] = ['encoder', 'decoder'];

export interface TritonRepositoryOptions {
  /** A manifest `parseManifest` accepted, and its graphs' verified bytes (as `Vae.load` reads them). */
  manifest: VaeManifest;
  bytes: Record<GraphRole, Uint8Array>;
  /** The models' name prefix (`<name>-encoder`, `<name>-decoder`). Default: the manifest's `name`. */
  name?: string;
  /** `max_batch_size` of a graph with a symbolic batch dimension. Default 256. */
  maxBatchSize?: number;
  /** `dynamic_batching.max_queue_delay_microseconds`. Default 100. */
  maxQueueDelayMicroseconds?: number;
}

export interface TritonModel {
  /** The Triton model's name (its folder). */
  name: string;
  /** 0 when the graph fixes its batch size (Triton then sends exactly the graph's shapes). */
  maxBatchSize: number;
  inputs: TritonTensor[];
  outputs: TritonTensor[];
}

export interface TritonRepository {
  models: Record<GraphRole, TritonModel>;
  /** Relative path (with `/`) → contents: every file of the repository. */
  files: Record<string, string | Uint8Array>;
}

function checkInteger(value: number, key: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new VaekitError('invalid-argument', `'${key}' must be an integer from ${min} to ${max}; found ${describeValue(value)}`);
  }
  return value;
}

/** The values per example the manifest implies for a contract name (used when a graph leaves a shape undeclared). */
function impliedShape(manifest: VaeManifest, contract: string): number[] {
  if (contract === 'z' || contract === 'mu' || contract === 'logvar') return [manifest.latentDim];
  if (contract === 'c') return [manifest.condition?.classes ?? 1];
  return manifest.input.shape;
}

/** Triton's dims for one tensor: the batch dimension left out unless the graph fixes it; -1 for any symbolic size. */
function tensorDims(info: GraphValueInfo | undefined, implied: number[], batch: number | null): number[] {
  const declared = info?.dims ?? ['N', ...implied];
  const dims = declared.map((d) => (typeof d === 'number' && d > 0 ? d : -1));
  if (batch !== null) return dims;
  if (dims.length < 2) {
    throw new VaekitError(
      'invalid-argument',
      `graph tensor '${info?.name}' has shape [${declared.join(', ')}]: Triton batches only tensors with a dimension after the batch one`,
    );
  }
  return dims.slice(1);
}

function tensors(manifest: VaeManifest, role: GraphRole, kind: 'inputs' | 'outputs', facts: GraphFacts, batch: number | null): TritonTensor[] {
  return Object.entries(manifest.graphs[role][kind]).map(([contract, name]) => ({
    name,
    dims: tensorDims(facts[kind].find((t) => t.name === name), impliedShape(manifest, contract), batch),
  }));
}

/**
 * The files of the Triton model repository for a verified model: read it with the checks of
 * `Vae.load` first (manifest, SHA-256, agreeing shapes). A graph whose batch dimension is
 * symbolic gets `max_batch_size` and dynamic batching, its dims without the batch dimension; a
 * graph that fixes it (x [1, 784]) gets `max_batch_size: 0` and its full dims. The inputs are the
 * graph's (the manifest maps every one); the outputs are those the manifest names.
 *
 * @example
 * ```ts
 * const { files } = tritonRepository({ manifest, bytes: { encoder, decoder } });
 * Object.keys(files); // ['mnist-mlp-encoder/config.pbtxt', 'mnist-mlp-encoder/1/model.onnx', …, 'vaekit.json']
 * ```
 */
export function tritonRepository(options: TritonRepositoryOptions): TritonRepository {
  const { manifest, bytes } = options;
  const name = options.name ?? manifest.name;
  if (typeof name !== 'string' || !MODEL_NAME.test(name)) {
    const hint = options.name === undefined ? `the model's name (vaekit.json name) is ${describeValue(name)}: pass 'name'` : `found ${describeValue(name)}`;
    throw new VaekitError(
      'invalid-argument',
      `'name' must be a Triton model name of letters, digits, '_', '-' and '.' (not first), at most 200 characters; ${hint}`,
    );
  }
  const maxBatchSize = checkInteger(options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE, 'maxBatchSize', 1, 2 ** 31 - 1);
  const delay = checkInteger(options.maxQueueDelayMicroseconds ?? DEFAULT_MAX_QUEUE_DELAY_MICROSECONDS, 'maxQueueDelayMicroseconds', 0, Number.MAX_SAFE_INTEGER);
  const facts = { encoder: inspectGraph(bytes.encoder), decoder: inspectGraph(bytes.decoder) };
  const batch = fixedBatch(manifest, facts);
  const models = {} as Record<GraphRole, TritonModel>;
  const files: Record<string, string | Uint8Array> = {};
  for (const role of ROLES) {
    const model: TritonModel = {
      name: `${name}-${role}`,
      maxBatchSize: batch[role] === null ? maxBatchSize : 0,
      inputs: tensors(manifest, role, 'inputs', facts[role], batch[role]),
      outputs: tensors(manifest, role, 'outputs', facts[role], batch[role]),
    };
    const origin = `the ${role} of vaekit model '${manifest.name}' (${manifest.graphs[role].file}, SHA-256 ${manifest.graphs[role].sha256})`;
    const fixed = batch[role] === null ? [] : [`The graph fixes its batch size to ${batch[role]}: max_batch_size 0, full shapes.`];
    models[role] = model;
    files[`${model.name}/config.pbtxt`] = tritonModelConfig({ ...model, maxQueueDelayMicroseconds: delay, comment: [`from ${origin}.`, ...fixed] });
    files[`${model.name}/1/model.onnx`] = bytes[role];
  }
  files[TRITON_MANIFEST_PATH] = `${JSON.stringify(manifest, null, 2)}\n`;
  return { models, files };
}
