/**
 * What both ONNX Runtime adapters do to open a session — check the options and the bytes, walk
 * the device's providers with fallback, wrap the result — written once. Each adapter brings only
 * what differs: its onnxruntime package's session and tensor constructors and how it tells that a
 * provider cannot work here. Imports no onnxruntime package and no `node:` module.
 */
import type { GraphSession, RuntimeBackend, SessionOptions } from './backend.js';
import type { Device, ExecutionProvider, RuntimeDevices } from './devices.js';
import { OrtSession, type OrtSessionLike } from './ort-session.js';
import { type CheckedOptions, checkModelBytes, checkSessionOptions, createWithFallback, providerCandidates } from './providers.js';

export interface OrtAdapter<D extends Device> {
  /** e.g. `onnxruntime-node`. */
  name: string;
  /** The runtime's row of DEVICE_TABLE. */
  table: RuntimeDevices<D>;
  /** Why `provider` cannot work here (checked before trying it), or null. */
  unavailableReason(provider: ExecutionProvider): string | null | Promise<string | null>;
  /** Runs before the first attempt, e.g. to apply settings onnxruntime reads once. */
  prepare?(options: CheckedOptions<D>): void;
  /** Creates a session with exactly one execution provider. */
  create(model: Uint8Array, provider: ExecutionProvider, options: CheckedOptions<D>): Promise<unknown>;
  /** A float32 tensor of the adapter's own onnxruntime package. */
  makeTensor(data: Float32Array, dims: number[]): unknown;
}

/** Opens `model` with `adapter` on the device `options` asks for, falling back as DEVICE_TABLE says. */
export async function openOrtSession<D extends Device>(adapter: OrtAdapter<D>, model: Uint8Array, options?: SessionOptions): Promise<GraphSession> {
  const o = checkSessionOptions(adapter.name, adapter.table.devices, options);
  checkModelBytes(adapter.name, model);
  adapter.prepare?.(o);
  const { session, provider } = await createWithFallback({
    backend: adapter.name,
    requested: o.device,
    candidates: await providerCandidates(adapter.table, o.device, (p) => adapter.unavailableReason(p)),
    fallback: adapter.table.fallback,
    strict: o.strict,
    onWarning: o.onWarning,
    attempt: (p) => adapter.create(model, p, o),
  });
  return new OrtSession(adapter.name, session as OrtSessionLike, provider, adapter.makeTensor);
}

/** A RuntimeBackend over `adapter`: its devices, `createSession` through `openOrtSession`, and `readFile`. */
export function ortRuntimeBackend<D extends Device>(adapter: OrtAdapter<D>, readFile: RuntimeBackend['readFile']): RuntimeBackend {
  return {
    name: adapter.name,
    devices: adapter.table.devices,
    createSession: (model: Uint8Array, options?: SessionOptions) => openOrtSession(adapter, model, options),
    readFile,
  };
}
