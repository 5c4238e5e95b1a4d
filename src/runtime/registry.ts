import { VaekitError } from '../errors.js';
import type { RuntimeBackend } from './backend.js';

// The entry points (node.ts, web.ts) register their adapter here: the one side effect of each.
let defaultRuntime: RuntimeBackend | null = null;

/** Sets the runtime `Vae.load` uses when none is passed. */
export function setDefaultRuntime(runtime: RuntimeBackend): void {
  defaultRuntime = runtime;
}

export function getDefaultRuntime(): RuntimeBackend {
  if (!defaultRuntime) {
    throw new VaekitError(
      'backend-unavailable',
      "no ONNX Runtime is registered: import vaekit through its package entry ('vaekit' resolves to the Node or browser build), or pass { runtime } to Vae.load",
    );
  }
  return defaultRuntime;
}
