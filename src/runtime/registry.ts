import { VaekitError, describeValue } from '../errors.js';
import type { RuntimeBackend } from './backend.js';

/**
 * The runtime `Vae.load` uses when none is passed, and who set it: the package entry (node.ts or
 * web.ts, at import: the one side effect of each) or a `setDefaultRuntime` call.
 */
let current: { runtime: RuntimeBackend; by: 'entry' | 'caller' } | null = null;

function describeRuntime(runtime: RuntimeBackend): string {
  return `'${runtime.name}'`;
}

/**
 * Sets the runtime `Vae.load` uses when none is passed. Replacing a different runtime that is
 * already the default — the one the package entry registered included — is refused unless you
 * pass `{ override: true }`, so two parts of a program cannot silently swap it under each other;
 * setting the same runtime again does nothing.
 *
 * @example
 * ```ts
 * import { Vae, ortNodeBackend, setDefaultRuntime } from 'vaekit';
 * const mine = { ...ortNodeBackend, name: 'my-onnxruntime-node' };   // e.g. a wrapper of yours
 * setDefaultRuntime(ortNodeBackend);                  // the entry's own runtime again: nothing happens
 * setDefaultRuntime(mine, { override: true });        // without override: invalid-argument
 * const vae = await Vae.load('models/mnist-mlp');     // runs on `mine`
 * await vae.dispose();
 * ```
 */
export function setDefaultRuntime(runtime: RuntimeBackend, options: { override?: boolean } = {}): void {
  checkRuntime(runtime);
  if (options == null || typeof options !== 'object') {
    throw new VaekitError('invalid-argument', `'options' must be an object such as { override: true }; found ${describeValue(options)}`);
  }
  const override = options.override ?? false;
  if (typeof override !== 'boolean') {
    throw new VaekitError('invalid-argument', `'override' must be a boolean; found ${describeValue(override)}`);
  }
  if (current && current.runtime !== runtime && !override) {
    const who = current.by === 'entry' ? "registered by vaekit's package entry" : 'set by an earlier setDefaultRuntime call';
    throw new VaekitError(
      'invalid-argument',
      `'runtime' ${describeRuntime(runtime)} would replace the default runtime ${describeRuntime(current.runtime)} (${who}); ` +
        'pass { override: true } to replace it, or pass { runtime } to Vae.load to use it for one model',
    );
  }
  current = { runtime, by: 'caller' };
}

/**
 * The package entries' registration: sets `runtime` when no default is set yet, and otherwise
 * keeps the one already set (importing both entries, or an entry after a `setDefaultRuntime`
 * call, neither throws at import nor replaces a choice already made).
 */
export function registerEntryRuntime(runtime: RuntimeBackend): void {
  current ??= { runtime, by: 'entry' };
}

export function getDefaultRuntime(): RuntimeBackend {
  if (!current) {
    throw new VaekitError(
      'backend-unavailable',
      "no ONNX Runtime is registered: import vaekit through its package entry ('vaekit' resolves to the Node or browser build), or pass { runtime } to Vae.load",
    );
  }
  return current.runtime;
}

function checkRuntime(runtime: unknown): asserts runtime is RuntimeBackend {
  const r = runtime as Partial<RuntimeBackend> | null;
  if (r == null || typeof r !== 'object' || typeof r.name !== 'string' || typeof r.createSession !== 'function' || typeof r.readFile !== 'function') {
    throw new VaekitError(
      'invalid-argument',
      `'runtime' must be a RuntimeBackend (an object with name, devices, createSession and readFile, e.g. ortNodeBackend); found ${describeValue(runtime)}`,
    );
  }
}
