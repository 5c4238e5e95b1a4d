import { beforeAll, describe, expect, it } from 'vitest';
import { exportVae } from '../../export/export-vae.js';
import { onnx } from '../../export/onnx.js';
import type { ManifestLikelihood } from '../../src/manifest/schema.js';
import { sha256Hex } from '../../src/manifest/sha256.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { selectBackend } from '../../src/train/backend/select-backend.js';
import { gatherRows } from '../../src/train/data/dataset.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import type { Dataset } from '../../src/train/data/dataset.js';
import { buildVae, type Architecture } from '../../src/train/model/build.js';
import { buildMlpVae } from '../../src/train/model/mlp.js';
import { buildConvVae, buildCvae, oneHot, randomizeWeights } from './vae-fixtures.js';

let mnist: Dataset;
let rows: Float32Array;
let labels: number[];
const INPUT = { shape: [28, 28, 1], layout: 'hwc' as const, range: [0, 1] as [number, number], scaling: null };

beforeAll(async () => {
  await selectBackend('wasm');
  mnist = await loadEmbeddedMnist({ perClassLimit: 20 });
  const picks = Array.from({ length: 20 }, (_, i) => i); // 2 test digits of each class
  rows = gatherRows(mnist.test, 784, picks);
  labels = picks.map((i) => mnist.test.labels![i]!);
});

function opTypes(bytes: Uint8Array): string[] {
  return onnx.ModelProto.decode(bytes).graph!.node!.map((n) => n.opType!);
}

describe('exportVae', () => {
  it.each<[string, ManifestLikelihood]>([
    ['bernoulli', { kind: 'bernoulli' }],
    ['gaussian', { kind: 'gaussian', sigma: 1 }],
  ])('exports an MLP VAE (%s) whose graphs match tfjs, with a manifest that describes them', async (_name, likelihood) => {
    const models = buildMlpVae(
      { arch: 'mlp', hidden: [128], latentDim: 8, activation: 'relu' },
      { inputShape: [28, 28, 1], likelihood: likelihood as never, valueRange: [0, 1], seed: 3 },
    );
    const result = await exportVae(models, {
      name: 'test-mlp', input: INPUT, latentDim: 8, likelihood, producerVersion: 'test',
      verify: { backend: ortNodeBackend, rows },
    });
    expect(result.verification!.passed).toBe(true);
    const m = result.manifest;
    expect(m.format).toBe('vaekit/1');
    expect(m.onnx).toEqual({ irVersion: 8, opset: 17 });
    expect(m.graphs.encoder.sha256).toBe(await sha256Hex(result.graphs.encoder));
    expect(m.graphs.decoder.sha256).toBe(await sha256Hex(result.graphs.decoder));
    expect(Object.keys(m.graphs.encoder.outputs)).toEqual(['mu', 'logvar']);
    expect(Object.keys(m.graphs.decoder.outputs)).toEqual(likelihood.kind === 'bernoulli' ? ['logits', 'mean'] : ['mean']);
    // fp32 weights as raw bytes: the file is its parameters × 4 bytes plus under 1 % of structure.
    for (const g of ['encoder', 'decoder'] as const) {
      const params = m.graphs[g].parameters;
      expect(result.graphs[g].length).toBeGreaterThanOrEqual(params * 4);
      expect(result.graphs[g].length).toBeLessThan(params * 4 * 1.01);
    }
    const decoded = onnx.ModelProto.decode(result.graphs.decoder);
    expect(decoded.graph!.input![0]!.type!.tensorType!.shape!.dim![0]!.dimParam).toBe('N');
    expect(opTypes(result.graphs.decoder)).not.toContain('RandomNormal');
  });

  it('writes fp16 weights at half the size, verified against fp16-rounded tfjs weights, and reports the cost', async () => {
    const models = buildMlpVae(
      { arch: 'mlp', hidden: [128], latentDim: 8, activation: 'relu' },
      { inputShape: [28, 28, 1], likelihood: { kind: 'bernoulli' }, valueRange: [0, 1], seed: 4 },
    );
    const options = { name: 't', input: INPUT, latentDim: 8, likelihood: { kind: 'bernoulli' } as const, producerVersion: 'test', verify: { backend: ortNodeBackend, rows } };
    const fp32 = await exportVae(models, options);
    const before = models.encoder.getWeights()[1]!.dataSync().slice();
    const fp16 = await exportVae(models, { ...options, precision: 'fp16' });
    expect(fp16.manifest.precision).toBe('fp16');
    expect(fp16.graphs.decoder.length / fp32.graphs.decoder.length).toBeCloseTo(0.5, 1);
    expect(opTypes(fp16.graphs.decoder)).toContain('Cast');
    expect(fp16.verification!.passed).toBe(true);
    const cost = Math.max(...fp16.precisionCost!.rows.filter((r) => r.output === 'mean').map((r) => r.maxAbsDiff));
    expect(cost).toBeGreaterThan(1e-6); // rounding weights to fp16 does change the outputs…
    expect(cost).toBeLessThan(1e-2); // …by little
    // The tfjs model's own weights are restored after the fp16 verification.
    expect(models.encoder.getWeights()[1]!.dataSync()).toEqual(before);
  });

  it('exports a convolutional VAE for each likelihood, NHWC in and out', async () => {
    for (const likelihood of [{ kind: 'bernoulli' }, { kind: 'gaussian', sigma: 1 }, { kind: 'gaussian-learned' }] as ManifestLikelihood[]) {
      const models = buildConvVae(likelihood);
      randomizeWeights(models.encoder, 1);
      randomizeWeights(models.decoder, 2);
      const result = await exportVae(models, {
        name: 'conv', input: INPUT, latentDim: 8, likelihood, producerVersion: 'test', verify: { backend: ortNodeBackend, rows },
      });
      expect(result.verification!.rows.filter((r) => !r.passed)).toEqual([]);
      expect(opTypes(result.graphs.encoder)).toContain('Conv');
      expect(opTypes(result.graphs.decoder)).toContain('ConvTranspose');
      expect(Object.keys(result.manifest.graphs.decoder.outputs)).toEqual(
        likelihood.kind === 'gaussian-learned' ? ['mean', 'logvar_x'] : likelihood.kind === 'gaussian' ? ['mean'] : ['logits', 'mean'],
      );
    }
  });

  it('exports a CVAE with the condition input c on both graphs', async () => {
    const models = buildCvae(10, 6);
    randomizeWeights(models.encoder, 5);
    randomizeWeights(models.decoder, 6);
    const result = await exportVae(models, {
      name: 'cvae', input: INPUT, latentDim: 6, likelihood: { kind: 'bernoulli' }, producerVersion: 'test',
      condition: { classes: 10, labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
      verify: { backend: ortNodeBackend, rows, conditions: oneHot(labels, 10) },
    });
    expect(result.verification!.passed).toBe(true);
    expect(Object.keys(result.manifest.graphs.encoder.inputs)).toEqual(['x', 'c']);
    expect(Object.keys(result.manifest.graphs.decoder.inputs)).toEqual(['z', 'c']);
    expect(result.manifest.condition!.classes).toBe(10);
  });

  it.each<[string, Architecture]>([
    ['mlp', { arch: 'mlp', hidden: [64, 32], latentDim: 6, activation: 'relu' }],
    ['conv', { arch: 'conv', channels: [8, 16], hidden: [32], latentDim: 6, stride: 2, activation: 'relu' }],
  ])('exports the trainer’s %s CVAE (c joined before every hidden Dense layer, a class offset at the output) and verifies it', async (_name, arch) => {
    const models = buildVae(arch, { inputShape: [28, 28, 1], likelihood: { kind: 'bernoulli' }, valueRange: [0, 1], seed: 7, classes: 10 });
    randomizeWeights(models.encoder, 7);
    randomizeWeights(models.decoder, 8);
    const result = await exportVae(models, {
      name: 'cvae', input: INPUT, latentDim: 6, likelihood: { kind: 'bernoulli' }, producerVersion: 'test',
      condition: { classes: 10, labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] },
      verify: { backend: ortNodeBackend, rows, conditions: oneHot(labels, 10) },
    });
    expect(result.verification!.rows.filter((r) => !r.passed)).toEqual([]);
    expect(Object.keys(result.manifest.graphs.decoder.inputs)).toEqual(['z', 'c']);
    // One Concat per conditioned Dense layer: the hidden layers and the heads (encoder); the
    // hidden layers, and conv's projection (decoder), whose output adds the class offset.
    const count = (bytes: Uint8Array, op: string) => opTypes(bytes).filter((t) => t === op).length;
    expect(count(result.graphs.encoder, 'Concat')).toBe(arch.hidden.length + 1);
    expect(count(result.graphs.decoder, 'Concat')).toBe(arch.hidden.length + (arch.arch === 'conv' ? 1 : 0));
    const nodes = onnx.ModelProto.decode(result.graphs.decoder).graph!.node!;
    const offset = nodes.find((n) => n.opType === 'MatMul' && n.input![0] === 'c');
    expect(offset?.name).toMatch(/^decoder_class_offset/);
    expect(nodes.find((n) => n.name!.startsWith('decoder_output_conditioned'))?.opType).toBe('Add');
  });

  it('refuses an unknown precision', async () => {
    const models = buildMlpVae(
      { arch: 'mlp', hidden: [8], latentDim: 2, activation: 'relu' },
      { inputShape: [28, 28, 1], likelihood: { kind: 'bernoulli' }, valueRange: [0, 1], seed: 1 },
    );
    await expect(
      exportVae(models, { name: 't', input: INPUT, latentDim: 2, likelihood: { kind: 'bernoulli' }, producerVersion: 't', precision: 'int8' as never }),
    ).rejects.toThrow(/'precision' must be fp32 or fp16; found "int8"/);
  });
});
