/**
 * vaekit/export — converts a VAE's TensorFlow.js encoder and decoder to ONNX (IR 8, opset 17)
 * from TypeScript, builds the vaekit.json manifest and verifies the graphs against tfjs. Imports
 * no `node:` module: it returns bytes; `vaekit export` (or your code) writes them.
 *
 * @example
 * ```ts
 * import { exportVae } from 'vaekit/export';
 * import { nodeRuntime } from 'vaekit/train';   // onnxruntime-node if installed, else onnxruntime-web's wasm
 * const { graphs, manifest, verification } = await exportVae({ encoder, decoder }, {
 *   name: 'my-vae', input: { shape: [28, 28, 1], layout: 'hwc', range: [0, 1], scaling: null },
 *   latentDim: 20, likelihood: { kind: 'bernoulli' }, producerVersion: '0.1.0',
 *   verify: { backend: nodeRuntime(), rows },
 * });
 * ```
 */
export { exportVae, type ExportVaeOptions, type ExportedVae } from './export-vae.js';
export { convertLayersModel, type ConvertModelOptions, type ConvertedGraph } from './convert-model.js';
export { registerLayerConverter, supportedLayerClasses, type LayerConverter, type LayerConversion } from './converters/index.js';
export { GraphBuilder, type WeightPrecision } from './graph-builder.js';
export { verifyGraphs, formatVerification, FP32_TOLERANCE, type VerificationReport, type VerificationRow } from './verify.js';
export { modelCard } from './model-card.js';
export { contractNames } from './graph-contract.js';
export { IR_VERSION, OPSET } from './onnx.js';
export { importVae, type ImportVaeOptions, type ImportedVae } from './import/import-vae.js';
export { formatChecks, REFERENCE_TOLERANCE, type ImportCheck, type Reference } from './import/check-import.js';
export type { ImportChoices } from './import/infer-roles.js';
