/**
 * Each graph of a served model as its own Open Inference Protocol model (`<model>-encoder`,
 * `<model>-decoder`): its tensors, and how a merged batch of requests runs through the SDK.
 */
import type { Vae } from '../node.js';
import { DynamicBatcher, type BatcherOptions } from './dynamic-batcher.js';
import { HttpError } from './http-error.js';

export interface TensorSpec {
  name: string;
  datatype: 'FP32';
  /** -1 for the batch. */
  shape: number[];
}

/** One request's rows, input by input, and the outputs it wants (all when absent). */
export interface GraphRequest {
  rows: number;
  inputs: Record<string, Float32Array>;
  outputs: readonly string[];
}

export type GraphResult = Record<string, { data: Float32Array; shape: number[] }>;

export interface GraphModel {
  name: string;
  kind: 'encoder' | 'decoder';
  vae: Vae;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  batcher: DynamicBatcher<GraphRequest, GraphResult>;
}

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The encoder and decoder of `vae` as graph models, each with its own batcher. */
export function graphModels(modelName: string, vae: Vae, batching: (graph: string) => BatcherOptions): GraphModel[] {
  const J = vae.latentDim;
  const classes = vae.manifest.condition?.classes;
  const cond: TensorSpec[] = classes ? [{ name: 'c', datatype: 'FP32', shape: [-1, classes] }] : [];
  const example = [-1, ...vae.inputShape];
  const decoderOutputs = Object.keys(vae.manifest.graphs.decoder.outputs);
  // A logits-only decoder still serves `mean`: the SDK derives it.
  const decoded = ['mean', ...decoderOutputs.filter((n) => n !== 'mean')];
  const specs = {
    encoder: { inputs: [{ name: 'x', datatype: 'FP32', shape: example }, ...cond], outputs: ['mu', 'logvar'].map((name) => ({ name, datatype: 'FP32', shape: [-1, J] })) },
    decoder: { inputs: [{ name: 'z', datatype: 'FP32', shape: [-1, J] }, ...cond], outputs: decoded.map((name) => ({ name, datatype: 'FP32', shape: example })) },
  } as const;
  return (['encoder', 'decoder'] as const).map((kind) => {
    const name = `${modelName}-${kind}`;
    const run = kind === 'encoder' ? runEncoder(vae) : runDecoder(vae);
    return { name, kind, vae, inputs: [...specs[kind].inputs] as TensorSpec[], outputs: [...specs[kind].outputs] as TensorSpec[], batcher: new DynamicBatcher(run, batching(name)) };
  });
}

/** Concatenates the requests' rows of input `name` (each `width` floats a row). */
function merged(requests: readonly GraphRequest[], name: string, width: number): Float32Array {
  const rows = requests.reduce((a, r) => a + r.rows, 0);
  const out = new Float32Array(rows * width);
  let offset = 0;
  for (const r of requests) {
    out.set(r.inputs[name]!, offset);
    offset += r.rows * width;
  }
  return out;
}

/** Gives each request its own rows of every output it asked for. */
function split(requests: readonly GraphRequest[], outputs: Record<string, { data: Float32Array; shape: readonly number[] } | undefined>): GraphResult[] {
  let row = 0;
  return requests.map((r) => {
    const result: GraphResult = {};
    for (const name of r.outputs) {
      const tensor = outputs[name];
      if (!tensor) throw new HttpError(500, `the model computed no output '${name}'`);
      const width = product(tensor.shape.slice(1));
      result[name] = { data: tensor.data.slice(row * width, (row + r.rows) * width), shape: [r.rows, ...tensor.shape.slice(1)] };
    }
    row += r.rows;
    return result;
  });
}

function condition(vae: Vae, requests: readonly GraphRequest[]) {
  const classes = vae.manifest.condition?.classes;
  if (!classes) return undefined;
  const data = merged(requests, 'c', classes);
  return { data, shape: [data.length / classes, classes] };
}

function runEncoder(vae: Vae) {
  return async (requests: readonly GraphRequest[]): Promise<GraphResult[]> => {
    const x = merged(requests, 'x', product(vae.inputShape));
    const { mu, logvar } = await vae.encode({ data: x, shape: [x.length / product(vae.inputShape), ...vae.inputShape] }, { c: condition(vae, requests) });
    return split(requests, { mu, logvar });
  };
}

function runDecoder(vae: Vae) {
  return async (requests: readonly GraphRequest[]): Promise<GraphResult[]> => {
    const z = merged(requests, 'z', vae.latentDim);
    // Only the mean asked for: the SDK computes just that (faster for large batches).
    const meanOnly = requests.every((r) => r.outputs.length === 1 && r.outputs[0] === 'mean');
    const out = await vae.decode({ data: z, shape: [z.length / vae.latentDim, vae.latentDim] }, { c: condition(vae, requests), meanOnly });
    return split(requests, { mean: out.mean, logits: out.logits, logvar_x: out.logvarX });
  };
}
