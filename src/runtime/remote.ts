/**
 * The remote runtime: a model's encoder and decoder run on an Open Inference Protocol (KServe v2)
 * server — `vaekit serve`, NVIDIA Triton, KServe — through the global `fetch` (Node and
 * browsers). `Vae.connect` (src/vae/vae.ts) wraps it; this file opens the two sessions.
 */
import { VaekitError, describeValue } from '../errors.js';
import type { FixedBatch } from '../manifest/graph-batch.js';
import { parseManifest } from '../manifest/index.js';
import { MANIFEST_MAX_BYTES } from '../manifest/json-limits.js';
import type { VaeManifest } from '../manifest/schema.js';
import { checkSignal } from './abort.js';
import { sendJson, type HttpSettings } from './remote-http.js';
import { RemoteGraphSession, checkMetadata, parseMetadata } from './remote-session.js';

/**
 * How `Vae.connect` reaches the server. The manifest comes from `vaekit serve`
 * (`GET {url}/vaekit/v1/models/{model}/manifest`) or from `manifest`; the graphs are the server's
 * models `{model}-encoder` and `{model}-decoder`, whose metadata (`GET /v2/models/{name}`) must
 * agree with the manifest (`invalid-manifest` otherwise). Sampling, ε, IWAE and the ELBO stay in
 * the client, so the same seed gives the same numbers as a local Vae; the likelihood scorer (a
 * tiny graph) runs on the local runtime, opened by the first `logLikelihood` or `elbo`. Errors:
 * `io-error` (server unreachable, or "timed out after N ms"), `remote-error` (an HTTP error
 * status, in `error.status`, with the server's message; or a response larger than it can need:
 * the manifest and metadata are bounded like a vaekit.json file, an infer response by its rows ×
 * output widths), `invalid-manifest`, `aborted` (`signal`, while connecting).
 *
 * @example
 * ```ts
 * import { Vae, VaekitError } from 'vaekit';
 * // vaekit serve models/mnist-mlp --port 8080
 * const vae = await Vae.connect('http://127.0.0.1:8080', { model: 'mnist-mlp', timeoutMs: 10_000 });
 * vae.latentDim; // 20
 * const { mean } = await vae.sample(4, { seed: 42 });        // decoded by the server
 * mean.shape.join('x'); // "4x28x28x1"
 * const { perExample } = await vae.logLikelihood(mean, { k: 10 });
 * perExample.length; // 4
 * await vae.dispose();
 * const missing = await Vae.connect('http://127.0.0.1:8080', { model: 'nope' }).catch((e) => e);
 * missing instanceof VaekitError && missing.code; // "remote-error"
 * missing.status; // 404
 * ```
 */
export interface RemoteOptions {
  /** The model's name on the server; its graphs are the server's `{model}-encoder` and `{model}-decoder`. */
  model: string;
  /**
   * The model's vaekit.json (text or object) for a server that does not serve manifests (Triton,
   * KServe; `vaekit triton` writes it beside the models). Default: read from `vaekit serve`.
   */
  manifest?: string | object;
  /** The fetch used for every request (credentials, a proxy…). Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Headers sent with every request, e.g. `{ authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
  /** Each HTTP request's limit, body included: beyond it `io-error` "timed out after N ms". 0: none. Default 30 000. */
  timeoutMs?: number;
  /**
   * Retries of a GET (manifest, metadata) that failed to connect, timed out or got 408/429/5xx,
   * backing off 100 ms · 2^i (or as Retry-After says); an infer POST is retried only on 429/503
   * with Retry-After (the server ran nothing). Default 2.
   */
  retries?: number;
  /** Tensors as raw bytes (Triton's binary tensor data extension) rather than JSON. Default: when `GET /v2` lists `binary_tensor_data`. */
  binary?: boolean;
  /** Most rows per infer request (a larger run is split). Default 1024. */
  maxRequestRows?: number;
  /** Aborting it stops connecting (`aborted`); it does not apply to later calls. */
  signal?: AbortSignal;
}

export interface RemoteModel {
  manifest: VaeManifest;
  encoder: RemoteGraphSession;
  decoder: RemoteGraphSession;
  fixedBatch: FixedBatch;
  binary: boolean;
}

const invalid = (message: string) => new VaekitError('invalid-argument', message);

function checkInteger(value: unknown, name: string, min: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw invalid(`'${name}' must be an integer ≥ ${min}; found ${describeValue(value)}`);
  return value;
}

/** The server's base URL (http or https, no trailing slash). */
function baseUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw invalid(`'url' must be the server's http(s) URL, e.g. "http://127.0.0.1:8080"; found ${describeValue(url)}`);
  }
  if ((typeof url !== 'string' && !(url instanceof URL)) || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw invalid(`'url' must be the server's http(s) URL, e.g. "http://127.0.0.1:8080"; found ${describeValue(url instanceof URL ? url.href : url)}`);
  }
  return parsed.href.replace(/\/+$/, '');
}

function checkHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  const ok = typeof headers === 'object' && headers !== null && !Array.isArray(headers) && Object.values(headers).every((v) => typeof v === 'string');
  if (!ok) throw invalid(`'headers' must be an object of header names to strings; found ${describeValue(headers)}`);
  return { ...(headers as Record<string, string>) };
}

/** Reads the manifest, checks the server's metadata against it, and opens both remote sessions. */
export async function connectRemote(url: string | URL, options: RemoteOptions): Promise<RemoteModel> {
  if (typeof options !== 'object' || options === null) throw invalid(`'options' must be an object with the server's model name, e.g. { model: 'mnist-mlp' }; found ${describeValue(options)}`);
  const base = baseUrl(url);
  const model = options.model;
  if (typeof model !== 'string' || model.length === 0) throw invalid(`'model' must be the model's name on the server (a non-empty string); found ${describeValue(model)}`);
  if (options.fetch !== undefined && typeof options.fetch !== 'function') throw invalid(`'fetch' must be a function; found ${describeValue(options.fetch)}`);
  if (options.binary !== undefined && typeof options.binary !== 'boolean') throw invalid(`'binary' must be a boolean; found ${describeValue(options.binary)}`);
  const signal = checkSignal(options.signal);
  // A local, called without a receiver: a browser's fetch called as a method throws "Illegal invocation".
  const fetchFunction = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const http: HttpSettings = {
    fetch: fetchFunction,
    headers: checkHeaders(options.headers),
    timeoutMs: checkInteger(options.timeoutMs, 'timeoutMs', 0, 30_000),
    retries: checkInteger(options.retries, 'retries', 0, 2),
    backoffMs: 100,
  };
  const maxRows = checkInteger(options.maxRequestRows, 'maxRequestRows', 1, 1024);
  const connecting = { ...http, ...(signal ? { signal } : {}) };
  // The manifest, server and model metadata: JSON documents of a few kB, bounded like a vaekit.json file.
  const get = (path: string) => sendJson({ method: 'GET', url: `${base}${path}`, maxBytes: MANIFEST_MAX_BYTES }, connecting);

  let manifest: VaeManifest;
  if (options.manifest !== undefined) {
    manifest = parseManifest(options.manifest);
  } else {
    const body = await get(`/vaekit/v1/models/${encodeURIComponent(model)}/manifest`).catch((error: unknown) => {
      if (error instanceof VaekitError && error.status === 404) error.message += " (a server that is not vaekit serve, such as Triton, serves no manifest: pass { manifest } with the model's vaekit.json)";
      throw error;
    });
    manifest = parseManifest(body);
  }
  let binary = options.binary;
  if (binary === undefined) {
    const server = await get('/v2');
    binary = typeof server === 'object' && server !== null && Array.isArray((server as { extensions?: unknown }).extensions) && (server as { extensions: unknown[] }).extensions.includes('binary_tensor_data');
  }
  const sessions = {} as Record<'encoder' | 'decoder', RemoteGraphSession>;
  const fixedBatch = {} as FixedBatch;
  for (const role of ['encoder', 'decoder'] as const) {
    const name = `${model}-${role}`;
    const path = `/v2/models/${encodeURIComponent(name)}`;
    const checked = checkMetadata(manifest, role, parseMetadata(await get(path), `GET ${base}${path}`), name);
    fixedBatch[role] = checked.fixedBatch;
    sessions[role] = new RemoteGraphSession({ base, model: name, checked, binary, maxRows, http }, role, manifest);
  }
  return { manifest, ...sessions, fixedBatch, binary };
}
