import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { VaeManifest } from '../../src/manifest/schema.js';
import { sha256Hex } from '../../src/manifest/sha256.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fillStandardNormal, reparameterize } from '../../src/sampler/index.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../src/train/data/dataset.js';

// The shipped model: what the SDK, the parity suite and users load; and the same weights in
// float16, the example model of the npm package.
let mnist: Dataset;

beforeAll(async () => {
  mnist = await loadEmbeddedMnist();
});

describe.each([
  ['mnist-mlp', 'fp32', 4],
  ['mnist-mlp-fp16', 'fp16', 2],
] as const)('models/%s', (name, precision, bytesPerWeight) => {
  const FOLDER = fileURLToPath(new URL(`../../models/${name}`, import.meta.url));
  let manifest: VaeManifest;

  beforeAll(async () => {
    manifest = JSON.parse(await readFile(join(FOLDER, 'vaekit.json'), 'utf8'));
  });

  it('has a manifest whose hashes and sizes match the committed graphs', async () => {
    expect(manifest).toMatchObject({ format: 'vaekit/1', name, latentDim: 20, precision, likelihood: { kind: 'bernoulli' } });
    expect(manifest.training).toMatchObject({ epochs: 20, seed: 1 });
    for (const graph of [manifest.graphs.encoder, manifest.graphs.decoder]) {
      const bytes = await readFile(join(FOLDER, graph.file));
      expect(await sha256Hex(bytes)).toBe(graph.sha256);
      expect(bytes.length).toBe(graph.bytes);
      expect(bytes.length / (graph.parameters * bytesPerWeight)).toBeLessThan(1.02);
    }
  });

  it('reaches the recorded test −ELBO when run in onnxruntime-node with the shared sampler', async () => {
    const encoder = await ortNodeBackend.createSession(await readFile(join(FOLDER, 'encoder.onnx')));
    const decoder = await ortNodeBackend.createSession(await readFile(join(FOLDER, 'decoder.onnx')));
    const n = mnist.test.count;
    const J = manifest.latentDim;
    const { mu, logvar } = await encoder.run({ x: { data: mnist.test.x, dims: [n, 28, 28, 1] } });
    const eps = fillStandardNormal(new Float32Array(n * J), { seed: 11, stream: 0 });
    const z = reparameterize(mu!.data, logvar!.data, eps);
    const { logits } = await decoder.run({ z: { data: z, dims: [n, J] } });
    let recon = 0;
    for (let i = 0; i < n * 784; i++) {
      const l = logits!.data[i]!;
      recon += Math.max(l, 0) - l * mnist.test.x[i]! + Math.log1p(Math.exp(-Math.abs(l)));
    }
    let kl = 0;
    for (let i = 0; i < n * J; i++) kl += 0.5 * (mu!.data[i]! ** 2 + Math.exp(logvar!.data[i]!) - logvar!.data[i]! - 1);
    const negElbo = (recon + kl) / n;
    // One ε draw per digit: within a nat of the trainer's figure, and well under the reference 113.
    expect(Math.abs(negElbo - (manifest.training!.metrics['testNegElbo'] as number))).toBeLessThan(1);
    expect(negElbo).toBeLessThan(113);
    await encoder.release();
    await decoder.release();
  });
});
