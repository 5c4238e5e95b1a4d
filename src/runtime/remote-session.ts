/**
 * One graph of a model on an Open Inference Protocol server as a GraphSession: `run` is
 * `POST /v2/models/{name}/infer`, so the Vae above it (sampling, ε, IWAE, ELBO) is unchanged.
 * The server's model metadata is checked against the manifest first (`invalid-manifest` on a
 * disagreement); its tensor names may be the graph's (Triton) or the contract's (`vaekit serve`).
 */
import { VaekitError } from '../errors.js';
import type { GraphRole, VaeManifest } from '../manifest/schema.js';
import type { ExecutionProvider, GraphSession, TensorData } from './backend.js';
import { send, type HttpSettings } from './remote-http.js';
import { HEADER_LENGTH, inferRequest, inferResponse } from './remote-tensors.js';

interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

export interface GraphMetadata {
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `body` as OIP model metadata, or `remote-error`. */
export function parseMetadata(body: unknown, where: string): GraphMetadata {
  const tensors = (list: unknown, kind: string): TensorMetadata[] => {
    const ok = Array.isArray(list) && list.every((t) => isObject(t) && typeof t.name === 'string' && typeof t.datatype === 'string' && Array.isArray(t.shape) && t.shape.every((d) => Number.isInteger(d)));
    if (!ok) throw new VaekitError('remote-error', `${where} answered model metadata whose '${kind}' is not a list of {name, datatype, shape}: not Open Inference Protocol model metadata`);
    return list as TensorMetadata[];
  };
  if (!isObject(body)) throw new VaekitError('remote-error', `${where} answered ${JSON.stringify(body)?.slice(0, 80)}: not Open Inference Protocol model metadata`);
  return { inputs: tensors(body.inputs, 'inputs'), outputs: tensors(body.outputs, 'outputs') };
}

/** The per-example shape the manifest implies for a contract tensor. */
function rowShape(manifest: VaeManifest, role: GraphRole, contract: string): readonly number[] {
  if (contract === 'c') return [manifest.condition?.classes ?? 0];
  if (contract === 'z' || (role === 'encoder' && contract !== 'x')) return [manifest.latentDim];
  return manifest.input.shape;
}

export interface CheckedGraph {
  /** Graph name (the manifest's) → the server's tensor name. */
  names: Map<string, string>;
  /** The batch size the server's model fixes, or null. */
  fixedBatch: number | null;
}

/**
 * Checks the server's metadata of `role`'s model against the manifest: every tensor the manifest
 * maps exists (by graph or contract name) as FP32 with the shape it implies (-1: any size), the
 * server wants no input the manifest does not know, and the inputs agree on a fixed batch.
 */
export function checkMetadata(manifest: VaeManifest, role: GraphRole, metadata: GraphMetadata, model: string): CheckedGraph {
  const entry = manifest.graphs[role];
  const names = new Map<string, string>();
  const mismatch = (what: string) =>
    new VaekitError('invalid-manifest', `the server's model '${model}' ${what}; the manifest (graphs.${role}) disagrees: the manifest does not describe the model this server runs`);
  let fixed: number | null = null;
  for (const kind of ['inputs', 'outputs'] as const) {
    const served = metadata[kind];
    for (const [contract, graphName] of Object.entries(entry[kind])) {
      const tensor = served.find((t) => t.name === graphName) ?? served.find((t) => t.name === contract);
      const list = served.map((t) => `'${t.name}'`).join(', ') || 'none';
      if (!tensor) throw mismatch(`has ${kind} ${list}, none named '${graphName}' (graphs.${role}.${kind}.${contract})`);
      if (tensor.datatype !== 'FP32') throw mismatch(`has ${kind.slice(0, -1)} '${tensor.name}' of datatype ${tensor.datatype} (FP32 expected)`);
      const row = rowShape(manifest, role, contract);
      const [batch, ...rest] = tensor.shape;
      const agrees = rest.length === row.length && rest.every((d, i) => d === -1 || d === row[i]) && batch !== undefined && (batch === -1 || batch > 0);
      if (!agrees) throw mismatch(`has ${kind.slice(0, -1)} '${tensor.name}' of shape [${tensor.shape.join(', ')}], not [N, ${row.join(', ')}] (${contract})`);
      if (kind === 'inputs' && batch! > 0) {
        if (fixed !== null && fixed !== batch) throw mismatch(`fixes batch sizes ${fixed} and ${batch} for its inputs`);
        fixed = batch!;
      }
      names.set(graphName, tensor.name);
    }
  }
  const unknown = metadata.inputs.filter((t) => ![...names.values()].includes(t.name));
  if (unknown.length) throw mismatch(`also needs input${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `'${t.name}'`).join(', ')}`);
  return { names, fixedBatch: fixed };
}

export interface RemoteSessionConfig {
  /** The server's base URL, without a trailing slash. */
  base: string;
  model: string;
  checked: CheckedGraph;
  binary: boolean;
  /** Most rows per infer request: a larger run is split. */
  maxRows: number;
  http: HttpSettings;
}

/** The provider a remote session reports (not an ONNX Runtime one: the server chooses its own). */
export const REMOTE_PROVIDER: ExecutionProvider = 'remote';

/** Bytes an FP32 value may take as a JSON number: 17 digits, sign, point, exponent, separator, nesting. */
export const JSON_BYTES_PER_VALUE = 32;
/** Bytes of an infer response beyond its values: the JSON header (names, shapes, parameters). */
export const RESPONSE_HEADER_SLACK = 64 * 1024;

/** Most bytes an infer response for `rows` rows of outputs `widths` (values per row) may have. */
export function inferResponseLimit(rows: number, widths: readonly number[], binary: boolean): number {
  const values = rows * widths.reduce((a, b) => a + b, 0);
  return values * (binary ? 4 : JSON_BYTES_PER_VALUE) + RESPONSE_HEADER_SLACK;
}

export class RemoteGraphSession implements GraphSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly provider = REMOTE_PROVIDER;
  private released = false;
  /** Graph output name → values per row (what bounds an infer response). */
  private readonly widths = new Map<string, number>();

  constructor(private readonly config: RemoteSessionConfig, role: GraphRole, manifest: VaeManifest) {
    this.inputNames = Object.values(manifest.graphs[role].inputs);
    this.outputNames = Object.values(manifest.graphs[role].outputs);
    for (const [contract, name] of Object.entries(manifest.graphs[role].outputs)) {
      this.widths.set(name, rowShape(manifest, role, contract).reduce((a, b) => a * b, 1));
    }
  }

  async run(feeds: Record<string, TensorData>, outputs: readonly string[] = this.outputNames): Promise<Record<string, TensorData>> {
    if (this.released) throw new VaekitError('disposed', `the remote session of '${this.config.model}' was released`);
    const n = Object.values(feeds)[0]?.dims[0] ?? 0;
    const { maxRows } = this.config;
    if (n <= maxRows) return this.infer(feeds, outputs);
    // Split into requests of at most maxRows rows, then concatenate each output.
    const parts: Record<string, TensorData>[] = [];
    for (let start = 0; start < n; start += maxRows) {
      const count = Math.min(maxRows, n - start);
      const slice = Object.fromEntries(
        Object.entries(feeds).map(([name, t]) => {
          const width = t.data.length / n;
          return [name, { data: t.data.subarray(start * width, (start + count) * width), dims: [count, ...t.dims.slice(1)] }];
        }),
      );
      parts.push(await this.infer(slice, outputs));
    }
    return Object.fromEntries(
      outputs.map((name) => {
        const data = new Float32Array(parts.reduce((a, p) => a + p[name]!.data.length, 0));
        let at = 0;
        for (const p of parts) {
          data.set(p[name]!.data, at);
          at += p[name]!.data.length;
        }
        return [name, { data, dims: [n, ...parts[0]![name]!.dims.slice(1)] }];
      }),
    );
  }

  private async infer(feeds: Record<string, TensorData>, outputs: readonly string[]): Promise<Record<string, TensorData>> {
    const { base, model, checked, binary, http } = this.config;
    const server = (name: string) => checked.names.get(name) ?? name;
    const serverFeeds = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [server(name), t]));
    const request = inferRequest(serverFeeds, outputs.map(server), binary);
    const url = `${base}/v2/models/${encodeURIComponent(model)}/infer`;
    const rows = Object.values(feeds)[0]?.dims[0] ?? 0;
    const maxBytes = inferResponseLimit(rows, outputs.map((name) => this.widths.get(name) ?? 0), binary);
    const response = await send({ method: 'POST', url, headers: request.headers, body: request.body, maxBytes }, http);
    const results = inferResponse(response.bytes, response.headers.get(HEADER_LENGTH), `POST ${url}`);
    const out: Record<string, TensorData> = {};
    for (const name of outputs) {
      const t = results[server(name)];
      if (!t) throw new VaekitError('remote-error', `POST ${url} answered no output '${server(name)}' (it has ${Object.keys(results).map((k) => `'${k}'`).join(', ') || 'none'})`);
      out[name] = t;
    }
    return out;
  }

  async release(): Promise<void> {
    this.released = true;
  }
}
