/**
 * What both ONNX Runtime adapters share: option checks, the provider fallback loop, and the
 * classification of ONNX Runtime's load errors. Imports no onnxruntime package and no `node:`
 * module, so `ort-node.ts` and `ort-web.ts` can both use it.
 */
import { VaekitError, describeValue } from '../errors.js';
import type { SessionOptions, TensorData } from './backend.js';
import type { Device, ExecutionProvider, RuntimeDevices } from './devices.js';

const GRAPH_OPTIMIZATIONS = ['disabled', 'basic', 'extended', 'all'] as const;

/** Session options after validation, with defaults applied. */
export interface CheckedOptions<D extends Device = Device> {
  device: D;
  strict: boolean;
  threads: number;
  graphOptimization: (typeof GRAPH_OPTIMIZATIONS)[number];
  onWarning: (message: string) => void;
  spinning: boolean;
}

/**
 * Validates `options` for a backend that accepts `devices`. An unknown device name is
 * `provider-unavailable` (whatever `strict` says) and lists the supported names.
 */
export function checkSessionOptions<D extends Device>(
  backend: string,
  devices: readonly D[],
  options: SessionOptions | undefined,
): CheckedOptions<D> {
  if (options != null && typeof options !== 'object') {
    throw new VaekitError('invalid-argument', `'options' must be an object; found ${describeValue(options)}`);
  }
  const o = options ?? {};
  const device = o.device ?? 'auto';
  if (!(devices as readonly unknown[]).includes(device)) {
    throw new VaekitError(
      'provider-unavailable',
      `'device' must be one of ${devices.map((d) => `'${d}'`).join(', ')} with ${backend}; found ${describeValue(device)}`,
    );
  }
  const strict = o.strict ?? false;
  if (typeof strict !== 'boolean') {
    throw new VaekitError('invalid-argument', `'strict' must be a boolean; found ${describeValue(strict)}`);
  }
  const threads = o.threads ?? 0;
  if (typeof threads !== 'number' || !Number.isInteger(threads) || threads < 0) {
    throw new VaekitError('invalid-argument', `'threads' must be an integer ≥ 0 (0 = ONNX Runtime's default); found ${describeValue(threads)}`);
  }
  const graphOptimization = o.graphOptimization ?? 'all';
  if (!(GRAPH_OPTIMIZATIONS as readonly unknown[]).includes(graphOptimization)) {
    throw new VaekitError(
      'invalid-argument',
      `'graphOptimization' must be one of ${GRAPH_OPTIMIZATIONS.map((g) => `'${g}'`).join(', ')}; found ${describeValue(graphOptimization)}`,
    );
  }
  const onWarning = o.onWarning ?? ((message: string) => console.warn(message));
  if (typeof onWarning !== 'function') {
    throw new VaekitError('invalid-argument', `'onWarning' must be a function; found ${describeValue(onWarning)}`);
  }
  const spinning = o.spinning ?? true;
  if (typeof spinning !== 'boolean') {
    throw new VaekitError('invalid-argument', `'spinning' must be a boolean; found ${describeValue(spinning)}`);
  }
  return { device: device as D, strict, threads, graphOptimization, onWarning, spinning };
}

/** Checks the graph bytes before ONNX Runtime sees them. */
export function checkModelBytes(backend: string, model: unknown): asserts model is Uint8Array {
  if (!(model instanceof Uint8Array)) {
    throw new VaekitError('invalid-argument', `'model' must be a Uint8Array of ONNX bytes; found ${describeValue(model)}`);
  }
  if (model.byteLength === 0) {
    throw new VaekitError('corrupt-graph', `${backend} could not load the graph: 'model' is empty (0 bytes; a truncated or missing file?)`);
  }
}

/**
 * True when ONNX Runtime's message says the bytes themselves are bad (unparsable protobuf, a graph
 * that does not validate), as opposed to a provider that cannot start.
 */
export function isGraphLoadFailure(message: string): boolean {
  return /protobuf|no graph was found|model data pointer is null|invalid model|failed to load model|load model from|modelproto|unsupported model ir version/i.test(
    message,
  );
}

/**
 * ONNX Runtime's native messages start with the C++ source location and function, sometimes with
 * the failed assertion: keep what a user can act on.
 * `…/webgpu_context.cc:136 onnxruntime::…::<lambda()> adapter_result.status == … was false. Failed
 * to get a WebGPU adapter: No supported adapters` → `Failed to get a WebGPU adapter: No supported adapters`.
 */
export function conciseOrtMessage(error: unknown): string {
  let text = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  // onnxruntime-common's wrapper when a backend fails to start: `no available backend found. ERR: [wasm] <why>`.
  text = text.replace(/^no available backend found\. ERR: \[[\w-]+\] /, '');
  const located = /^\S+\.(?:cc|cpp|h):\d+ (.*)$/.exec(text);
  if (located) {
    text = located[1]!;
    const failedCheck = / was false\. (.*)$/.exec(text);
    if (failedCheck) text = failedCheck[1]!;
    else text = text.replace(/^(?:[\w:~<>*&]+ )?[\w:~<>]+\([^()]*\)(?:::<lambda\(\)>)?(?: const)? /, '');
  }
  return text;
}

/** One provider to try: `skip` makes the loop pass over it, and `silent` keeps that out of warnings. */
export interface ProviderCandidate<P extends string = ExecutionProvider> {
  name: P;
  skip?: { reason: string; silent: boolean };
}

/**
 * The providers `device` tries with one runtime (its row of DEVICE_TABLE), in order. A provider
 * other than the fallback for which `unavailableReason` gives a reason is marked skipped: silently
 * for `auto`, which passes over what the machine lacks by definition; in the fallback warning (or
 * the `strict` error) for a device named explicitly.
 */
export async function providerCandidates<D extends Device>(
  runtime: RuntimeDevices<D>,
  device: D,
  unavailableReason: (provider: ExecutionProvider) => string | null | Promise<string | null>,
): Promise<ProviderCandidate[]> {
  const candidates: ProviderCandidate[] = [];
  for (const name of runtime.providers[device]) {
    const reason = name === runtime.fallback ? null : await unavailableReason(name);
    candidates.push(reason === null ? { name } : { name, skip: { reason, silent: device === 'auto' } });
  }
  return candidates;
}

/**
 * Tries `candidates` in order with `attempt` (one explicit provider per attempt) and returns the
 * first session. A failure that `isGraphLoadFailure` recognises ends the loop with `corrupt-graph`:
 * no provider can load such bytes. Other failures are collected as `[name] reason`; when a later
 * candidate succeeds they become one warning. `fallback` is the provider that always exists (cpu /
 * wasm): reaching it from an explicitly requested device is an error under `strict`. When the
 * fallback itself fails, the bytes are `corrupt-graph`, unless onnxruntime could not start the
 * provider at all (`no available backend found`, e.g. onnxruntime-web's .wasm files not found):
 * that is `provider-unavailable`.
 */
export async function createWithFallback<S, P extends string = ExecutionProvider>(options: {
  backend: string;
  requested: Device;
  candidates: ProviderCandidate<P>[];
  fallback: P;
  strict: boolean;
  onWarning: (message: string) => void;
  attempt: (provider: P) => Promise<S>;
}): Promise<{ session: S; provider: P }> {
  const { backend, requested, candidates, fallback, strict, onWarning, attempt } = options;
  const failures: string[] = [];
  let lastError: unknown;
  for (const candidate of candidates) {
    const isFallback = candidate.name === fallback && requested !== fallback;
    if (isFallback && failures.length > 0 && strict && requested !== 'auto') {
      throw new VaekitError(
        'provider-unavailable',
        `device '${requested}' is unavailable with ${backend} (strict: true, so no fallback to ${fallback}): ${failures.join(', ')}`,
      );
    }
    if (candidate.skip) {
      if (!candidate.skip.silent) failures.push(`[${candidate.name}] ${candidate.skip.reason}`);
      continue;
    }
    try {
      const session = await attempt(candidate.name);
      if (failures.length > 0) {
        onWarning(`vaekit: ${backend} fell back to '${candidate.name}' for device '${requested}': ${failures.join(', ')}`);
      }
      return { session, provider: candidate.name };
    } catch (cause) {
      lastError = cause;
      const message = conciseOrtMessage(cause);
      const notStarted = /no available backend found/i.test(cause instanceof Error ? cause.message : String(cause));
      if (candidate.name === fallback && notStarted && !isGraphLoadFailure(message)) {
        // onnxruntime itself could not start this provider (e.g. onnxruntime-web's .wasm files not found).
        failures.push(`[${candidate.name}] ${message}`);
        throw new VaekitError('provider-unavailable', `device '${requested}' is unavailable with ${backend}: ${failures.join(', ')}`, { cause });
      }
      if (isGraphLoadFailure(message) || candidate.name === fallback) {
        const earlier = failures.length > 0 ? ` (after ${failures.join(', ')})` : '';
        throw new VaekitError('corrupt-graph', `${backend} could not load the graph with provider '${candidate.name}': ${message}${earlier}`, {
          cause,
        });
      }
      failures.push(`[${candidate.name}] ${message}`);
    }
  }
  throw new VaekitError('provider-unavailable', `device '${requested}' is unavailable with ${backend}: ${failures.join(', ')}`, {
    cause: lastError,
  });
}

/** Checks run() feeds against the session's input names before ONNX Runtime sees them. */
export function checkFeeds(inputNames: readonly string[], feeds: Record<string, TensorData>): void {
  if (feeds == null || typeof feeds !== 'object') {
    throw new VaekitError('invalid-argument', `'feeds' must be an object of named tensors; found ${describeValue(feeds)}`);
  }
  const given = Object.keys(feeds);
  const missing = inputNames.filter((n) => !given.includes(n));
  const unknown = given.filter((n) => !inputNames.includes(n));
  if (missing.length > 0 || unknown.length > 0) {
    throw new VaekitError(
      'invalid-argument',
      `'feeds' must name exactly the graph's inputs [${inputNames.join(', ')}]; found [${given.join(', ')}]` +
        (missing.length ? `, missing ${missing.join(', ')}` : '') +
        (unknown.length ? `, unknown ${unknown.join(', ')}` : ''),
    );
  }
  for (const [name, t] of Object.entries(feeds)) {
    if (!(t?.data instanceof Float32Array)) {
      throw new VaekitError('invalid-argument', `'feeds.${name}.data' must be a Float32Array; found ${describeValue(t?.data)}`);
    }
    if (!Array.isArray(t.dims) || !t.dims.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new VaekitError('invalid-argument', `'feeds.${name}.dims' must be an array of non-negative integers; found ${describeValue(t.dims)}`);
    }
    const size = t.dims.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new VaekitError(
        'invalid-argument',
        `'feeds.${name}' must hold ${size} values for dims [${t.dims.join(', ')}]; found ${t.data.length}`,
      );
    }
  }
}
