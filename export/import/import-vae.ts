/**
 * `importVae`: turns two ONNX graphs exported by another framework (PyTorch's torch.onnx.export,
 * Keras through tf2onnx, …) into a vaekit model — the manifest inferred from the graphs (names,
 * shapes, latent size, parameter counts, whether the decoder ends in a Sigmoid, fixed or symbolic
 * batch), then checked against the author's reference outputs and through every Vae method.
 * Returns bytes and the manifest; writes nothing (`vaekit import` writes the folder when it passes).
 *
 * @example
 * ```ts
 * import { importVae } from 'vaekit/export';
 * import { nodeRuntime } from 'vaekit/train';
 * const imported = await importVae({
 *   encoder: encoderBytes, decoder: decoderBytes,          // each .onnx file as a Uint8Array
 *   name: 'my-vae', backend: nodeRuntime(),
 * });
 * console.log(imported.passed, imported.manifest.input.layout);
 * ```
 */
import { VaekitError } from '../../src/errors.js';
import { inspectGraph, type GraphFacts } from '../../src/manifest/graph-inspection.js';
import { parseManifest } from '../../src/manifest/index.js';
import { MANIFEST_FORMAT, type VaeManifest } from '../../src/manifest/schema.js';
import { sha256Hex } from '../../src/manifest/sha256.js';
import type { RuntimeBackend } from '../../src/runtime/backend.js';
import { type ImportCheck, type Reference, checkImport } from './check-import.js';
import { type ImportChoices, type InferredModel, inferModel } from './infer-roles.js';
import { completeOutputShapes } from './complete-shapes.js';
import { type OnnxModelFacts, readOnnxModelFacts } from './onnx-model-facts.js';

export interface ImportVaeOptions extends ImportChoices {
  encoder: Uint8Array;
  decoder: Uint8Array;
  /** The model's name (vaekit.json `name`). */
  name: string;
  description?: string;
  /** The author's inputs and outputs by graph tensor name, e.g. `{ encoder: { x, mu, logvar }, decoder: { z, recon } }`. */
  reference?: { encoder?: Reference; decoder?: Reference };
  /** The ONNX Runtime the checks run on (e.g. `nodeRuntime()` from vaekit/train). */
  backend: RuntimeBackend;
}

export interface ImportedVae {
  manifest: VaeManifest;
  graphs: { encoder: Uint8Array; decoder: Uint8Array };
  /** Every decision: read from the graphs, given, or a default. */
  decisions: InferredModel['decisions'];
  checks: ImportCheck[];
  passed: boolean;
}

function inspect(graph: 'encoder' | 'decoder', bytes: Uint8Array): { facts: GraphFacts; model: OnnxModelFacts } {
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) {
    throw new VaekitError('invalid-argument', `'${graph}' must be the bytes of an .onnx file (a non-empty Uint8Array)`);
  }
  const facts = inspectGraph(bytes);
  if (facts.externalData.length) {
    const first = facts.externalData[0]!;
    throw new VaekitError('unsafe-graph', `the ${graph} keeps tensor '${first.tensor}' in the external file '${first.location}'; vaekit loads self-contained graphs only: re-export with the weights inside (torch.onnx.export does for models under 2 GB)`);
  }
  return { facts, model: readOnnxModelFacts(bytes) };
}

export async function importVae(options: ImportVaeOptions): Promise<ImportedVae> {
  if (typeof options.name !== 'string' || options.name.length === 0) throw new VaekitError('invalid-argument', `'name' must be a non-empty string; found ${JSON.stringify(options.name)}`);
  const encoder = inspect('encoder', options.encoder);
  const decoder = inspect('decoder', options.decoder);
  const completed: InferredModel['decisions'] = [];
  for (const [graph, inspected] of [['encoder', encoder], ['decoder', decoder]] as const) {
    const { facts, completed: names } = await completeOutputShapes(options[graph], inspected.facts, options.backend);
    inspected.facts = facts;
    for (const name of names) {
      const dims = facts.outputs.find((o) => o.name === name)!.dims!;
      completed.push({ what: `${graph} output '${name}'`, value: `[${dims.join(', ')}]: the graph leaves its size symbolic, so it was run once on zeros`, source: 'graph' });
    }
  }
  const inferred = inferModel({ encoder: encoder.facts, decoder: decoder.facts }, { encoder: encoder.model, decoder: decoder.model }, options);
  inferred.decisions.push(...completed);
  const graph = async (bytes: Uint8Array, file: string, model: OnnxModelFacts, roles: InferredModel['encoder']) => ({
    file,
    sha256: await sha256Hex(bytes),
    bytes: bytes.length,
    parameters: model.parameters,
    inputs: roles.inputs,
    outputs: roles.outputs,
  });
  const producer = encoder.model.producer;
  const draft = {
    format: MANIFEST_FORMAT,
    name: options.name,
    ...(options.description ? { description: options.description } : {}),
    input: inferred.input,
    latentDim: inferred.latentDim,
    condition: null,
    likelihood: inferred.likelihood,
    prior: { kind: 'standard-normal' },
    graphs: {
      encoder: await graph(options.encoder, 'encoder.onnx', encoder.model, inferred.encoder),
      decoder: await graph(options.decoder, 'decoder.onnx', decoder.model, inferred.decoder),
    },
    onnx: { irVersion: Math.max(encoder.model.irVersion, decoder.model.irVersion), opset: Math.max(encoder.model.opset, decoder.model.opset) },
    precision: 'fp32',
    producer: { name: producer.name || 'unknown', version: producer.version || 'unknown' },
  };
  const manifest = parseManifest(JSON.stringify(draft));
  const checks = await checkImport({
    manifest,
    graphs: { encoder: options.encoder, decoder: options.decoder },
    roles: { encoder: inferred.encoder, decoder: inferred.decoder },
    outputs: { encoder: encoder.facts.outputs.map((o) => o.name), decoder: decoder.facts.outputs.map((o) => o.name) },
    ...(options.reference ? { reference: options.reference } : {}),
    backend: options.backend,
  });
  return { manifest, graphs: { encoder: options.encoder, decoder: options.decoder }, decisions: inferred.decisions, checks, passed: checks.every((c) => c.passed) };
}
