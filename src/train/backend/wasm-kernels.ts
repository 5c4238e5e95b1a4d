/**
 * What vaekit's wasm training kernels share: looking up the wasm backend's own kernels they are
 * built from, and swapping kernel registrations in and out.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { VaekitError } from '../../errors.js';

export const WASM_BACKEND = 'wasm';

/**
 * The wasm backend's registered `kernelName`; `backend-unavailable` naming `user` (the kernel or
 * function that needs it) when it is not registered.
 */
export function requireWasmKernel(kernelName: string, user: string): KernelConfig {
  // getKernel is typed as always returning a config, but it returns undefined for an unknown key.
  const config = tf.getKernel(kernelName, WASM_BACKEND) as KernelConfig | undefined;
  if (config === undefined) {
    throw new VaekitError(
      'backend-unavailable',
      `${user} on wasm needs the '${WASM_BACKEND}' backend's ${kernelName} kernel, which is not registered; ` +
        `import '@tensorflow/tfjs-backend-wasm' first`,
    );
  }
  return config;
}

/** Registers each config in place of the kernel registered under its name and backend, if any. */
export function swapKernels(configs: readonly KernelConfig[]): void {
  for (const config of configs) {
    if (tf.getKernel(config.kernelName, config.backendName) !== undefined) {
      tf.unregisterKernel(config.kernelName, config.backendName);
    }
    tf.registerKernel(config);
  }
}

/** What {@link overrideWasmKernel} returns. */
export interface KernelOverride {
  /** Puts the original kernel back; calling it again does nothing. */
  uninstall(): void;
}

const overrides = new Map<string, KernelOverride>();

/**
 * Registers `wrap(original)` as the wasm backend's `kernelName` (`user` names who asks, for the
 * error when the kernel is missing). Idempotent per kernel: while installed, every call returns the
 * same handle. The original config's setupFunc is kept: a backend initialized later binds the C++
 * function the original calls through it.
 */
export function overrideWasmKernel(kernelName: string, user: string, wrap: (original: KernelFunc) => KernelFunc): KernelOverride {
  const installed = overrides.get(kernelName);
  if (installed !== undefined) return installed;
  const original = requireWasmKernel(kernelName, user);
  const handle: KernelOverride = {
    uninstall() {
      if (overrides.get(kernelName) !== handle) return;
      swapKernels([original]);
      overrides.delete(kernelName);
    },
  };
  swapKernels([{ ...original, kernelFunc: wrap(original.kernelFunc) }]);
  overrides.set(kernelName, handle);
  return handle;
}
