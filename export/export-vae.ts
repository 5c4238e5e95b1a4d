import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../src/errors.js';
import { MANIFEST_FORMAT, type ManifestGraph, type ManifestInput, type ManifestLikelihood, type VaeManifest } from '../src/manifest/schema.js';
import { sha256Hex } from '../src/manifest/sha256.js';
import type { RuntimeBackend } from '../src/runtime/backend.js';
import { convertLayersModel, type ConvertedGraph } from './convert-model.js';
import { float16Bits, roundToFloat16 } from './float16.js';
import type { WeightPrecision } from './graph-builder.js';
import { contractNames } from './graph-contract.js';
import { IR_VERSION, OPSET } from './onnx.js';
import { FP32_TOLERANCE, verifyGraphs, type VerificationReport } from './verify.js';

export interface ExportVaeOptions {
  name: string;
  description?: string;
  input: ManifestInput;
  latentDim: number;
  likelihood: ManifestLikelihood;
  condition?: VaeManifest['condition'];
  training?: VaeManifest['training'];
  precision?: WeightPrecision;
  /** vaekit's version, recorded as the producer. */
  producerVersion: string;
  /** Verification: an ONNX Runtime backend and real data rows (with one-hot conditions for a CVAE). */
  verify?: { backend: RuntimeBackend; rows: Float32Array; conditions?: Float32Array; seed?: number };
}

export interface ExportedVae {
  manifest: VaeManifest;
  graphs: { encoder: Uint8Array; decoder: Uint8Array };
  /** Against the tfjs models with the graph's own weights (fp16-rounded for fp16). */
  verification: VerificationReport | null;
  /** fp16 only: the same comparison against the fp32 tfjs models — the precision's cost. */
  precisionCost: VerificationReport | null;
}

/** Runs `body` with every weight of `models` rounded to float16, then restores the originals. */
async function withFloat16Weights<T>(models: tfl.LayersModel[], body: () => Promise<T>): Promise<T> {
  const originals = models.map((m) => m.getWeights().map((w) => w.clone()));
  try {
    for (const m of models) {
      const rounded = m.getWeights().map((w) => tf.tensor(roundToFloat16(w.dataSync() as Float32Array), w.shape));
      m.setWeights(rounded);
      tf.dispose(rounded); // the variables keep the data
    }
    return await body();
  } finally {
    models.forEach((m, i) => m.setWeights(originals[i]!));
    tf.dispose(originals.flat());
  }
}

async function graphEntry(file: string, graph: ConvertedGraph): Promise<ManifestGraph> {
  const identity = (names: string[]) => Object.fromEntries(names.map((n) => [n, n]));
  return {
    file,
    sha256: await sha256Hex(graph.bytes),
    bytes: graph.bytes.length,
    parameters: graph.parameters,
    inputs: identity(graph.inputs.map((i) => i.name)),
    outputs: identity(graph.outputs.map((o) => o.name)),
  };
}

/**
 * Converts a VAE's tfjs encoder and decoder to ONNX (IR 8, opset 17) under the graph contract's
 * names, writes the manifest, and — given a runtime and data — verifies both graphs against tfjs.
 * Pure: returns bytes and the manifest; writing files is the caller's (see `vaekit export`).
 *
 * @example
 * ```ts
 * import { exportVae } from 'vaekit/export';
 * import { nodeRuntime } from 'vaekit/train';
 * const { graphs, manifest, verification } = await exportVae(
 *   { encoder, decoder },
 *   { name: 'mnist-mlp', input: { shape: [28, 28, 1], layout: 'hwc', range: [0, 1], scaling: null },
 *     latentDim: 20, likelihood: { kind: 'bernoulli' }, producerVersion: '0.1.0',
 *     verify: { backend: nodeRuntime(), rows: testRows } },
 * );
 * ```
 */
export async function exportVae(
  models: { encoder: tfl.LayersModel; decoder: tfl.LayersModel },
  options: ExportVaeOptions,
): Promise<ExportedVae> {
  const precision = options.precision ?? 'fp32';
  if (precision !== 'fp32' && precision !== 'fp16') {
    throw new VaekitError('invalid-argument', `'precision' must be fp32 or fp16; found ${JSON.stringify(precision)}`);
  }
  const condition = options.condition ?? null;
  const names = contractNames(options.likelihood, condition !== null);
  const common = { precision, producerVersion: options.producerVersion, toHalf: float16Bits };
  const encoder = convertLayersModel(models.encoder, { name: 'encoder', inputNames: names.encoder.inputs, outputNames: names.encoder.outputs, ...common });
  const decoder = convertLayersModel(models.decoder, { name: 'decoder', inputNames: names.decoder.inputs, outputNames: names.decoder.outputs, ...common });
  const graphs = { encoder: encoder.bytes, decoder: decoder.bytes };

  let verification: VerificationReport | null = null;
  let precisionCost: VerificationReport | null = null;
  if (options.verify) {
    const verifyWith = () =>
      verifyGraphs({
        models, graphs, names, backend: options.verify!.backend, rows: options.verify!.rows,
        conditions: options.verify!.conditions, classes: condition?.classes,
        inputShape: options.input.shape, latentDim: options.latentDim, seed: options.verify!.seed ?? 1,
      });
    if (precision === 'fp16') {
      verification = await withFloat16Weights([models.encoder, models.decoder], verifyWith);
      precisionCost = await verifyWith();
    } else {
      verification = await verifyWith();
    }
  }

  const maxAbsDiff = (report: VerificationReport) =>
    Object.fromEntries(
      ['encoder', 'decoder'].flatMap((g) =>
        [...new Set(report.rows.filter((r) => r.graph === g).map((r) => r.output))].map((o) => [
          `${g}.${o}`,
          Math.max(...report.rows.filter((r) => r.graph === g && r.output === o).map((r) => r.maxAbsDiff)),
        ]),
      ),
    );
  const manifest: VaeManifest = {
    format: MANIFEST_FORMAT,
    name: options.name,
    ...(options.description ? { description: options.description } : {}),
    input: options.input,
    latentDim: options.latentDim,
    condition,
    likelihood: options.likelihood,
    prior: { kind: 'standard-normal' },
    graphs: { encoder: await graphEntry('encoder.onnx', encoder), decoder: await graphEntry('decoder.onnx', decoder) },
    onnx: { irVersion: IR_VERSION, opset: OPSET },
    precision,
    producer: { name: 'vaekit', version: options.producerVersion },
    training: options.training ?? null,
    ...(verification
      ? { verification: { runtime: verification.runtime, tolerance: { ...FP32_TOLERANCE }, maxAbsDiff: maxAbsDiff(verification), samples: verification.samples } }
      : {}),
  };
  return { manifest, graphs, verification, precisionCost };
}
