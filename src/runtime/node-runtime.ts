/**
 * The ONNX Runtime vaekit uses in Node when none is named: onnxruntime-node when the app installed
 * it (an optional peer), else onnxruntime-web's wasm build under the same device names.
 * Resolving onnxruntime-node loads nothing: each runtime imports its package on first use.
 */
import { ORT_NODE_PEERS, missingPeers } from '../optional-peers.js';
import type { RuntimeBackend } from './backend.js';
import { ortNodeBackend } from './ort-node.js';
import { ortWebNodeBackend } from './ort-web-node.js';

export function nodeRuntime(): RuntimeBackend {
  return missingPeers(ORT_NODE_PEERS).length === 0 ? ortNodeBackend : ortWebNodeBackend;
}
