/**
 * The one device table: for each ONNX Runtime package, the device names it accepts and the
 * execution providers each device tries, in order. The adapters (ort-node.ts, ort-web.ts,
 * ort-web-node.ts) derive their `devices` and their provider lists from it; the CLI takes its
 * `--device` choices from `NODE_DEVICES`. Imports no onnxruntime package and no `node:` module.
 *
 * The last provider of every list is the runtime's `fallback`, the one that always exists. A
 * provider before it is tried only when the adapter finds it usable (the CUDA library installed,
 * a WebGPU adapter present); for `auto` an unusable one is passed over silently, for a device
 * named explicitly the fallback warns (or throws `provider-unavailable` with `strict: true`).
 *
 * For example `DEVICE_TABLE['onnxruntime-web'].providers.webgpu` is `['webgpu', 'wasm']`: WebGPU
 * when the browser gives an adapter, else wasm.
 */

/**
 * An execution provider: what actually runs a graph (`session.provider`, `vae.provider`);
 * `remote` for a graph an inference server runs (`Vae.connect`).
 */
export type ExecutionProvider = 'cpu' | 'wasm' | 'webgpu' | 'cuda' | 'remote';

/** Device names onnxruntime-node accepts (the Node build of vaekit, the CLI). */
export const NODE_DEVICES = ['auto', 'cpu', 'webgpu', 'cuda'] as const;
export type NodeDevice = (typeof NODE_DEVICES)[number];

/** Device names onnxruntime-web accepts (the browser build of vaekit). */
export const WEB_DEVICES = ['auto', 'wasm', 'webgpu'] as const;
export type WebDevice = (typeof WEB_DEVICES)[number];

/** A device name of either runtime; each adapter refuses the names it does not list. */
export type Device = NodeDevice | WebDevice;

/** One runtime's row of the table. */
export interface RuntimeDevices<D extends Device> {
  /** Accepted device names, `auto` (the default) first. */
  readonly devices: readonly D[];
  /** The providers each device tries, in order; every list ends with `fallback`. */
  readonly providers: { readonly [device in D]: readonly ExecutionProvider[] };
  /** The provider that always exists. */
  readonly fallback: ExecutionProvider;
}

export const DEVICE_TABLE = {
  'onnxruntime-node': {
    devices: NODE_DEVICES,
    providers: {
      auto: ['cuda', 'cpu'],
      cpu: ['cpu'],
      webgpu: ['webgpu', 'cpu'],
      cuda: ['cuda', 'cpu'],
    },
    fallback: 'cpu',
  },
  'onnxruntime-web': {
    devices: WEB_DEVICES,
    providers: {
      auto: ['webgpu', 'wasm'],
      wasm: ['wasm'],
      webgpu: ['webgpu', 'wasm'],
    },
    fallback: 'wasm',
  },
  // The Node build of vaekit without onnxruntime-node (ort-web-node.ts): onnxruntime-web's Node
  // build under the Node device names, so code written for onnxruntime-node keeps working. Its CPU
  // is wasm; cuda and webgpu need onnxruntime-node and fall back to wasm, saying so.
  'onnxruntime-web-node': {
    devices: NODE_DEVICES,
    providers: {
      auto: ['wasm'],
      cpu: ['wasm'],
      webgpu: ['webgpu', 'wasm'],
      cuda: ['cuda', 'wasm'],
    },
    fallback: 'wasm',
  },
} as const satisfies {
  'onnxruntime-node': RuntimeDevices<NodeDevice>;
  'onnxruntime-web': RuntimeDevices<WebDevice>;
  'onnxruntime-web-node': RuntimeDevices<NodeDevice>;
};

/** A runtime the table describes. */
export type RuntimeName = keyof typeof DEVICE_TABLE;
