/**
 * vaekit for Node: the SDK with onnxruntime-node (devices cpu, webgpu, cuda) when it is installed
 * — it is an optional peer dependency — and otherwise with onnxruntime-web's wasm build under the
 * same device names (ort-web-node.ts; the first session says so once, with the `npm i` line).
 * The example model the package carries is at `exampleModelPath()`.
 *
 * @example
 * ```ts
 * import { Vae } from 'vaekit';
 * const vae = await Vae.load('models/mnist-mlp');
 * console.log(vae.provider); // { encoder: 'cpu', decoder: 'cpu' } (wasm without onnxruntime-node)
 * ```
 */
import { registerEntryRuntime } from './runtime/registry.js';
import { nodeRuntime } from './runtime/node-runtime.js';
import { ortNodeBackend } from './runtime/ort-node.js';
import { ortWebNodeBackend } from './runtime/ort-web-node.js';

registerEntryRuntime(nodeRuntime());

export * from './index.js';
export { ortNodeBackend, ortWebNodeBackend };
export { exampleModelPath } from './example-model.js';
export { scoreRows, type ScoreRowInput, type RowScore, type ScoreRowsOptions } from './score/score-rows.js';
