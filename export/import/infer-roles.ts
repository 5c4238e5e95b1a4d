/**
 * Which input and output of two foreign graphs plays which part of vaekit's graph contract, and
 * what the model is (input shape and layout, latent size, likelihood, batch dimensions), inferred
 * from the graphs where they say it and taken from the caller where they cannot. Anything that
 * cannot be decided is refused with the option that decides it.
 */
import { VaekitError } from '../../src/errors.js';
import { ELEMENT_TYPES, type GraphFacts, type GraphValueInfo } from '../../src/manifest/graph-inspection.js';
import type { ManifestInput, ManifestLikelihood } from '../../src/manifest/schema.js';
import { type OnnxModelFacts, producingOp } from './onnx-model-facts.js';

export type Layout = ManifestInput['layout'];

/** What the caller may decide; everything else is read from the graphs. */
export interface ImportChoices {
  likelihood?: ManifestLikelihood['kind'];
  /** gaussian: the decoder's fixed σ (default 1). */
  sigma?: number;
  /** The range of the encoder's input values (default [0, 1]). */
  inputRange?: [number, number];
  /** Needed only when an image's shape does not show where its channels are. */
  layout?: Layout;
  /** Graph output names, when their names do not say which is which. */
  mu?: string;
  logvar?: string;
  mean?: string;
  logits?: string;
  logvarX?: string;
}

export interface GraphRoles {
  inputs: Record<string, string>;
  outputs: Record<string, string>;
  /** Outputs the contract does not name: never fetched. */
  ignored: string[];
  /** The batch size the graph is fixed to, or null when its batch dimension is symbolic. */
  fixedBatch: number | null;
}

export interface InferredModel {
  input: ManifestInput;
  latentDim: number;
  likelihood: ManifestLikelihood;
  encoder: GraphRoles;
  decoder: GraphRoles;
  /** Every decision, for the transcript: what, the value, and whether it was read, given or a default. */
  decisions: { what: string; value: string; source: 'graph' | 'given' | 'default' }[];
}

const refuse = (message: string) => new VaekitError('invalid-argument', message);
const describe = (v: GraphValueInfo) => `'${v.name}' [${(v.dims ?? ['?']).map((d) => d ?? '?').join(', ')}]`;
const perRow = (v: GraphValueInfo): number | null =>
  v.dims && v.dims.length >= 2 && v.dims.slice(1).every((d) => typeof d === 'number') ? (v.dims.slice(1) as number[]).reduce((a, b) => a * b, 1) : null;
const MU_NAME = /(^|[^a-z])(mu|mean|loc)([^a-z]|$)/i;
const LOGVAR_NAME = /log_?var/i;

function theOnlyInput(graph: 'encoder' | 'decoder', facts: GraphFacts): GraphValueInfo {
  if (facts.inputs.length !== 1) {
    throw refuse(`the ${graph} has ${facts.inputs.length} inputs (${facts.inputs.map(describe).join(', ') || 'none'}); vaekit import takes an unconditional VAE whose ${graph} has exactly one input`);
  }
  const input = facts.inputs[0]!;
  for (const v of [input, ...facts.outputs]) {
    if (v.elemType !== 0 && v.elemType !== 1) {
      throw refuse(`the ${graph}'s ${facts.inputs.includes(v) ? 'input' : 'output'} '${v.name}' is ${ELEMENT_TYPES[v.elemType] ?? `type ${v.elemType}`}; vaekit runs float32 graphs: re-export with float32 inputs and outputs`);
    }
  }
  if (!input.dims || input.dims.length < 2) {
    throw refuse(`the ${graph} input '${input.name}' declares no batch and example shape; re-export it with an example input (torch.onnx.export records the shape)`);
  }
  const symbolic = input.dims.slice(1).findIndex((d) => typeof d !== 'number');
  if (symbolic >= 0) {
    throw refuse(`dimension ${symbolic + 1} of the ${graph} input ${describe(input)} is not fixed; vaekit needs fixed example shapes (only the batch dimension may be symbolic): re-export without dynamic axes other than the batch`);
  }
  return input;
}

function batchOf(input: GraphValueInfo): number | null {
  const d = input.dims![0];
  return typeof d === 'number' && d > 0 ? d : null;
}

function inferLayout(example: number[], given: Layout | undefined, x: GraphValueInfo): { layout: Layout; source: 'graph' | 'given' } {
  const rank = example.length;
  if (given) {
    const want = given === 'features' ? 1 : 3;
    if (rank !== want) throw refuse(`'layout' ${given} needs ${want === 1 ? 'a flat example [features]' : 'an image example of 3 dimensions'}; the encoder input is ${describe(x)}`);
    return { layout: given, source: 'given' };
  }
  if (rank === 1) return { layout: 'features', source: 'graph' };
  if (rank === 3) {
    const channels = (d: number) => d === 1 || d === 3 || d === 4;
    const [a, , c] = example as [number, number, number];
    if (channels(a) && !channels(c)) return { layout: 'chw', source: 'graph' };
    if (channels(c) && !channels(a)) return { layout: 'hwc', source: 'graph' };
    throw refuse(`cannot tell where the channels of the encoder input ${describe(x)} are: pass 'layout' (--layout chw for [N, C, H, W], --layout hwc for [N, H, W, C])`);
  }
  throw refuse(`the encoder input ${describe(x)} has ${rank} example dimensions; vaekit describes flat rows [N, F] and images [N, C, H, W] or [N, H, W, C]: re-export with one of those shapes`);
}

function pickByName(what: string, flag: string, candidates: GraphValueInfo[], pattern: RegExp, exclude?: RegExp): GraphValueInfo | null {
  const hits = candidates.filter((v) => pattern.test(v.name) && !(exclude && exclude.test(v.name)));
  if (hits.length === 1) return hits[0]!;
  if (hits.length > 1) throw refuse(`more than one output could be ${what} (${hits.map(describe).join(', ')}): pass '${flag}' with the output's name`);
  return null;
}

function named(graph: string, facts: GraphFacts, name: string, option: string): GraphValueInfo {
  const found = facts.outputs.find((v) => v.name === name);
  if (!found) throw refuse(`'${option}' names '${name}', which is not an output of the ${graph} (outputs: ${facts.outputs.map(describe).join(', ')})`);
  return found;
}

function encoderOutputs(facts: GraphFacts, choices: ImportChoices, decisions: InferredModel['decisions']): { mu: GraphValueInfo; logvar: GraphValueInfo } {
  const outs = facts.outputs;
  let mu = choices.mu !== undefined ? named('encoder', facts, choices.mu, 'mu') : pickByName('μ', 'mu', outs, MU_NAME, LOGVAR_NAME);
  let logvar = choices.logvar !== undefined ? named('encoder', facts, choices.logvar, 'logvar') : pickByName('log σ²', 'logvar', outs, LOGVAR_NAME);
  // Two outputs and one of them named: the other is the other.
  if (outs.length === 2 && (mu === null) !== (logvar === null)) {
    if (mu) logvar = outs.find((v) => v !== mu)!;
    else mu = outs.find((v) => v !== logvar)!;
  }
  if (!mu || !logvar || mu === logvar) {
    throw refuse(`cannot tell which encoder output is μ and which is log σ² (outputs: ${outs.map(describe).join(', ')}): pass 'mu' and 'logvar' with the output names`);
  }
  decisions.push({ what: 'encoder μ', value: `'${mu.name}'`, source: choices.mu !== undefined ? 'given' : 'graph' });
  decisions.push({ what: 'encoder log σ²', value: `'${logvar.name}'`, source: choices.logvar !== undefined ? 'given' : 'graph' });
  return { mu, logvar };
}

function decoderOutputs(
  facts: GraphFacts,
  model: OnnxModelFacts,
  features: number,
  likelihood: ManifestLikelihood['kind'],
  choices: ImportChoices,
  decisions: InferredModel['decisions'],
): Record<string, string> {
  const given = (name: string | undefined, option: string) => (name !== undefined ? named('decoder', facts, name, option) : null);
  const candidates = facts.outputs.filter((v) => perRow(v) === features);
  if (candidates.length === 0 && choices.mean === undefined && choices.logits === undefined) {
    throw refuse(`no decoder output has ${features} values per example, as the encoder input has (outputs: ${facts.outputs.map(describe).join(', ')})`);
  }
  const outputs: Record<string, string> = {};
  const record = (role: string, v: GraphValueInfo, source: 'graph' | 'given', how = '') => {
    outputs[role] = v.name;
    decisions.push({ what: `decoder ${role}`, value: `'${v.name}'${how}`, source });
  };
  if (likelihood === 'bernoulli') {
    const mean = given(choices.mean, 'mean');
    const logits = given(choices.logits, 'logits');
    if (mean) record('mean', mean, 'given');
    if (logits) record('logits', logits, 'given');
    if (!mean && !logits) {
      // A Sigmoid (through reshapes) makes probabilities; anything else is taken as logits.
      const byKind = { mean: [] as GraphValueInfo[], logits: [] as GraphValueInfo[] };
      for (const v of candidates) (producingOp(model, v.name) === 'Sigmoid' ? byKind.mean : byKind.logits).push(v);
      if (byKind.mean.length > 1 || byKind.logits.length > 1) {
        throw refuse(`more than one decoder output could be the mean or the logits (${candidates.map(describe).join(', ')}): pass 'mean' or 'logits' with the output's name`);
      }
      if (byKind.mean[0]) record('mean', byKind.mean[0], 'graph', ' (computed by a Sigmoid)');
      if (byKind.logits[0]) record('logits', byKind.logits[0], 'graph', ` (computed by ${producingOp(model, byKind.logits[0].name) ?? 'no node'}, not a Sigmoid: logits; the SDK derives the mean)`);
    }
    return outputs;
  }
  const logvarX = likelihood === 'gaussian-learned' ? (given(choices.logvarX, 'logvarX') ?? pickByName('the decoder log σ²', 'logvarX', candidates, LOGVAR_NAME)) : null;
  const rest = candidates.filter((v) => v !== logvarX);
  const mean = given(choices.mean, 'mean') ?? (rest.length === 1 ? rest[0]! : null);
  if (!mean) throw refuse(`cannot tell which decoder output is the mean (${candidates.map(describe).join(', ')}): pass 'mean' with the output's name`);
  record('mean', mean, choices.mean !== undefined ? 'given' : 'graph');
  if (likelihood === 'gaussian-learned') {
    if (!logvarX) throw refuse(`a gaussian-learned decoder needs its log σ² output: pass 'logvarX' with the output's name`);
    record('logvar_x', logvarX, choices.logvarX !== undefined ? 'given' : 'graph');
  }
  return outputs;
}

/** Infers the model the two graphs describe, or refuses naming what to pass. */
export function inferModel(
  graphs: { encoder: GraphFacts; decoder: GraphFacts },
  models: { encoder: OnnxModelFacts; decoder: OnnxModelFacts },
  choices: ImportChoices,
): InferredModel {
  const decisions: InferredModel['decisions'] = [];
  const x = theOnlyInput('encoder', graphs.encoder);
  const example = x.dims!.slice(1) as number[];
  const { layout, source } = inferLayout(example, choices.layout, x);
  decisions.push({ what: 'input', value: `'${x.name}' [${example.join(', ')}], layout ${layout}`, source });
  const range = choices.inputRange ?? [0, 1];
  decisions.push({ what: 'input range', value: `[${range.join(', ')}]`, source: choices.inputRange ? 'given' : 'default' });

  const { mu, logvar } = encoderOutputs(graphs.encoder, choices, decisions);
  const latentDim = perRow(mu);
  if (latentDim === null || !mu.dims || mu.dims.length !== 2) throw refuse(`the encoder's μ ${describe(mu)} must be [N, J] with a fixed J`);
  if (perRow(logvar) !== latentDim) throw refuse(`the encoder's log σ² ${describe(logvar)} must have μ's shape [N, ${latentDim}]`);
  decisions.push({ what: 'latent dimensions', value: String(latentDim), source: 'graph' });

  const z = theOnlyInput('decoder', graphs.decoder);
  if (perRow(z) !== latentDim || z.dims!.length !== 2) throw refuse(`the decoder input ${describe(z)} must be [N, ${latentDim}] (the encoder's μ has ${latentDim} dimensions)`);

  const kind = choices.likelihood ?? 'bernoulli';
  const likelihood: ManifestLikelihood = kind === 'gaussian' ? { kind, sigma: choices.sigma ?? 1 } : { kind };
  decisions.push({ what: 'likelihood', value: kind === 'gaussian' ? `gaussian, σ = ${choices.sigma ?? 1}` : kind, source: choices.likelihood ? 'given' : 'default' });
  const features = example.reduce((a, b) => a * b, 1);
  const decoderOuts = decoderOutputs(graphs.decoder, models.decoder, features, kind, choices, decisions);

  const encoder: GraphRoles = {
    inputs: { x: x.name },
    outputs: { mu: mu.name, logvar: logvar.name },
    ignored: graphs.encoder.outputs.filter((v) => v !== mu && v !== logvar).map((v) => v.name),
    fixedBatch: batchOf(x),
  };
  const named = new Set(Object.values(decoderOuts));
  const decoder: GraphRoles = {
    inputs: { z: z.name },
    outputs: decoderOuts,
    ignored: graphs.decoder.outputs.filter((v) => !named.has(v.name)).map((v) => v.name),
    fixedBatch: batchOf(z),
  };
  for (const [graph, roles] of [['encoder', encoder], ['decoder', decoder]] as const) {
    decisions.push({ what: `${graph} batch`, value: roles.fixedBatch === null ? 'symbolic (any size per call)' : `fixed at ${roles.fixedBatch} (the SDK runs requests in chunks of ${roles.fixedBatch})`, source: 'graph' });
    if (roles.ignored.length) decisions.push({ what: `${graph} outputs ignored`, value: roles.ignored.map((n) => `'${n}'`).join(', '), source: 'graph' });
  }
  return { input: { shape: example, layout, range, scaling: null }, latentDim, likelihood, encoder, decoder, decisions };
}
