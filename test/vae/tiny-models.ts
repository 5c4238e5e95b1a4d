/**
 * Tiny VAEs built with the exporter's GraphBuilder, shaped like models other frameworks export:
 * channel-first images, a decoder with logits only, a fixed batch dimension, an encoder with an
 * extra output. Same seed = same weights, so two variants of one model must give the same numbers.
 */
import { GraphBuilder } from '../../export/graph-builder.js';
import { onnx } from '../../export/onnx.js';
import { sha256Hex } from '../../src/manifest/sha256.js';
import type { VaeManifest } from '../../src/manifest/schema.js';

/** A picture of 4×3 RGB pixels: small, and not square, so a wrong transpose shows; 3 channels, so ImageData can feed it. */
export const H = 4, W = 3, C = 3, J = 3;
export const D = H * W * C;

export interface TinyOptions {
  layout?: 'hwc' | 'chw';
  /** Which bernoulli outputs the decoder has and the manifest maps. */
  decoderOutputs?: 'both' | 'logits' | 'mean';
  /** A fixed batch dimension for every input and output, or null (symbolic `N`). */
  batch?: number | null;
  /** An encoder output `z` the manifest does not map (like a Keras encoder's third output). */
  extraOutput?: boolean;
  seed?: number;
}

function weights(seed: number, count: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** x in the given layout → its values channel-last, flattened to [N, D]. */
function flattenInput(g: GraphBuilder, x: string, layout: 'hwc' | 'chw'): string {
  const hwc = layout === 'chw' ? g.node('Transpose', [x], { perm: [0, 2, 3, 1] }, 'x_hwc')[0]! : x;
  return g.node('Flatten', [hwc], { axis: 1 }, 'x_flat')[0]!;
}

function dense(g: GraphBuilder, input: string, from: number, to: number, seed: number, hint: string, scale = 0.5): string {
  const w = g.addWeight(`${hint}_w`, weights(seed, from * to, scale), [from, to]);
  const b = g.addWeight(`${hint}_b`, weights(seed + 1, to, 0.2), [to]);
  const [product] = g.node('MatMul', [input, w], {}, `${hint}_matmul`);
  return g.node('Add', [product!, b], {}, hint)[0]!;
}

function encoderGraph(o: Required<TinyOptions>): Uint8Array {
  const g = new GraphBuilder('tiny-encoder');
  const batch = o.batch;
  g.addInput('x', o.layout === 'chw' ? [batch, C, H, W] : [batch, H, W, C]);
  g.reserveOutputNames(['mu', 'logvar', ...(o.extraOutput ? ['z'] : [])]);
  const flat = flattenInput(g, 'x', o.layout);
  const mu = dense(g, flat, D, J, o.seed, 'mu_dense');
  const logvar = dense(g, flat, D, J, o.seed + 10, 'logvar_dense', 0.2);
  g.nameValue(mu, 'mu');
  g.nameValue(logvar, 'logvar');
  g.addOutput('mu', [batch, J]);
  g.addOutput('logvar', [batch, J]);
  if (o.extraOutput) {
    g.node('Add', ['mu', 'logvar'], {}, 'z', { outputNames: ['z'] });
    g.addOutput('z', [batch, J]);
  }
  return g.encode('test');
}

function decoderGraph(o: Required<TinyOptions>): Uint8Array {
  const g = new GraphBuilder('tiny-decoder');
  const batch = o.batch;
  const names = o.decoderOutputs === 'both' ? ['logits', 'mean'] : [o.decoderOutputs];
  g.addInput('z', [batch, J]);
  g.reserveOutputNames(names);
  const flat = dense(g, 'z', J, D, o.seed + 20, 'out_dense', 1.5);
  const shape = g.addInt64Constant('hwc_shape', [-1, H, W, C]);
  const [hwc] = g.node('Reshape', [flat, shape], {}, 'logits_hwc');
  const logits = o.layout === 'chw' ? g.node('Transpose', [hwc!], { perm: [0, 3, 1, 2] }, 'logits_chw')[0]! : hwc!;
  const dims = o.layout === 'chw' ? [batch, C, H, W] : [batch, H, W, C];
  if (names.includes('mean')) g.nameValue(g.node('Sigmoid', [logits], {}, 'sigmoid')[0]!, 'mean');
  if (names.includes('logits')) g.nameValue(logits, 'logits');
  for (const name of names) g.addOutput(name, dims);
  return g.encode('test');
}

/** A bytes source for Vae.load (manifest object with the real SHA-256 and sizes). */
export async function tinyModel(options: TinyOptions = {}): Promise<{ manifest: VaeManifest; encoder: Uint8Array; decoder: Uint8Array }> {
  const o: Required<TinyOptions> = { layout: 'hwc', decoderOutputs: 'both', batch: null, extraOutput: false, seed: 7, ...options };
  const encoder = encoderGraph(o);
  const decoder = decoderGraph(o);
  const outputs = o.decoderOutputs === 'both' ? { logits: 'logits', mean: 'mean' } : { [o.decoderOutputs]: o.decoderOutputs };
  const graph = async (file: string, bytes: Uint8Array, inputs: Record<string, string>, out: Record<string, string>) =>
    ({ file, sha256: await sha256Hex(bytes), bytes: bytes.length, parameters: 0, inputs, outputs: out });
  const manifest: VaeManifest = {
    format: 'vaekit/1',
    name: `tiny-${o.layout}-${o.decoderOutputs}-${o.batch ?? 'N'}`,
    input: { shape: o.layout === 'chw' ? [C, H, W] : [H, W, C], layout: o.layout, range: [0, 1], scaling: null },
    latentDim: J,
    condition: null,
    likelihood: { kind: 'bernoulli' },
    prior: { kind: 'standard-normal' },
    graphs: {
      encoder: await graph('encoder.onnx', encoder, { x: 'x' }, { mu: 'mu', logvar: 'logvar' }),
      decoder: await graph('decoder.onnx', decoder, { z: 'z' }, outputs),
    },
    onnx: { irVersion: 8, opset: 17 },
    precision: 'fp32',
    producer: { name: 'test', version: '0' },
    training: null,
  };
  return { manifest, encoder, decoder };
}

/**
 * The same graph with every input's and output's first dimension fixed to `batch` (what
 * torch.onnx.export writes without dynamic_axes). The graph's own Reshapes must use −1 or 0 for
 * the batch, as vaekit's exporter does.
 */
export function fixBatch(graph: Uint8Array, batch: number): Uint8Array {
  const model = onnx.ModelProto.decode(graph);
  for (const value of [...model.graph!.input!, ...model.graph!.output!]) {
    const dims = value.type?.tensorType?.shape?.dim;
    if (dims?.length) dims[0] = onnx.TensorShapeProto.Dimension.create({ dimValue: batch });
  }
  return onnx.ModelProto.encode(model).finish();
}

/** HWC images [n, H, W, C] → CHW [n, C, H, W], written out independently of src/vae/pixel-layout.ts. */
export function toChw(hwc: Float32Array, n: number, h = H, w = W, c = C): Float32Array {
  const out = new Float32Array(hwc.length);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let k = 0; k < c; k++) {
    out[((i * c + k) * h + y) * w + x] = hwc[((i * h + y) * w + x) * c + k]!;
  }
  return out;
}

/** The source with other graph bytes, its manifest's SHA-256 and sizes updated to match. */
export async function withGraphs(
  source: { manifest: VaeManifest; encoder: Uint8Array; decoder: Uint8Array },
  graphs: { encoder?: Uint8Array; decoder?: Uint8Array },
): Promise<{ manifest: VaeManifest; encoder: Uint8Array; decoder: Uint8Array }> {
  const encoder = graphs.encoder ?? source.encoder;
  const decoder = graphs.decoder ?? source.decoder;
  const entry = async (role: 'encoder' | 'decoder', bytes: Uint8Array) => ({ ...source.manifest.graphs[role], sha256: await sha256Hex(bytes), bytes: bytes.length });
  const manifest = { ...source.manifest, graphs: { encoder: await entry('encoder', encoder), decoder: await entry('decoder', decoder) } };
  return { manifest, encoder, decoder };
}
