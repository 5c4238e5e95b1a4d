import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { GraphSession, RuntimeBackend, TensorData } from '../src/runtime/backend.js';
import { samplePrior } from '../src/sampler/index.js';

/**
 * Elementwise tolerance |onnx − tfjs| ≤ absolute + relative·|tfjs|: torch.testing's float32
 * defaults. Two float32 GEMMs that sum in different orders differ by a few ulp of the result, so a
 * purely absolute 1e-5 cannot hold for a Bernoulli logit of −40 (ulp 3.8e-6); for values of order
 * one it is ≈ 1e-5 absolute.
 */
export const FP32_TOLERANCE = { absolute: 1e-5, relative: 1.3e-6 } as const;

export interface VerificationRow {
  graph: 'encoder' | 'decoder';
  output: string;
  /** What fed the graph: `data` rows, or `prior` draws / `posterior` means for the decoder. */
  inputs: string;
  maxAbsDiff: number;
  /** max |diff| / (absolute + relative·|tfjs|): ≤ 1 passes. */
  worstRatio: number;
  /** |tfjs| at the worst element, to read the ratio. */
  magnitudeAtWorst: number;
  passed: boolean;
}

export interface VerificationReport {
  runtime: string;
  tolerance: { absolute: number; relative: number };
  samples: number;
  rows: VerificationRow[];
  passed: boolean;
}

export interface VerifyOptions {
  models: { encoder: tfl.LayersModel; decoder: tfl.LayersModel };
  graphs: { encoder: Uint8Array; decoder: Uint8Array };
  /** Graph input names in the tfjs models' order and output names likewise. */
  names: { encoder: { inputs: string[]; outputs: string[] }; decoder: { inputs: string[]; outputs: string[] } };
  backend: RuntimeBackend;
  /** Real data rows (count × prod(inputShape)), and their one-hot conditions for a CVAE. */
  rows: Float32Array;
  conditions?: Float32Array;
  classes?: number;
  inputShape: number[];
  latentDim: number;
  seed: number;
  tolerance?: { absolute: number; relative: number };
}

function compare(
  graph: VerificationRow['graph'],
  output: string,
  inputs: string,
  onnx: Float32Array,
  reference: Float32Array,
  tolerance: { absolute: number; relative: number },
): VerificationRow {
  let maxAbsDiff = 0;
  let worstRatio = 0;
  let magnitudeAtWorst = 0;
  for (let i = 0; i < reference.length; i++) {
    const diff = Math.abs(onnx[i]! - reference[i]!);
    const ratio = diff / (tolerance.absolute + tolerance.relative * Math.abs(reference[i]!));
    if (diff > maxAbsDiff || Number.isNaN(diff)) maxAbsDiff = Number.isNaN(diff) ? Infinity : diff;
    if (ratio > worstRatio || Number.isNaN(ratio)) {
      worstRatio = Number.isNaN(ratio) ? Infinity : ratio;
      magnitudeAtWorst = Math.abs(reference[i]!);
    }
  }
  if (onnx.length !== reference.length) worstRatio = Infinity;
  return { graph, output, inputs, maxAbsDiff, worstRatio, magnitudeAtWorst, passed: worstRatio <= 1 };
}

function predict(model: tfl.LayersModel, feeds: TensorData[]): Float32Array[] {
  return tf.tidy(() => {
    const inputs = feeds.map((f) => tf.tensor(f.data, f.dims));
    const out = model.predict(inputs.length === 1 ? inputs[0]! : inputs) as tf.Tensor | tf.Tensor[];
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

async function run(session: GraphSession, names: string[], feeds: TensorData[]) {
  return session.run(Object.fromEntries(names.map((name, i) => [name, feeds[i]!])));
}

/**
 * Runs both graphs in an ONNX Runtime backend and the tfjs models on the same inputs — real data
 * rows through the encoder; the posterior means of those rows and seeded prior draws through the
 * decoder — and compares every output elementwise.
 */
export async function verifyGraphs(options: VerifyOptions): Promise<VerificationReport> {
  const tolerance = options.tolerance ?? FP32_TOLERANCE;
  const { names, latentDim: J } = options;
  const features = options.inputShape.reduce((a, b) => a * b, 1);
  const n = options.rows.length / features;
  const condition = options.conditions ? [{ data: options.conditions, dims: [n, options.classes!] }] : [];
  const rows: VerificationRow[] = [];
  // cpu, the reference provider: a GPU could compute in TF32 and miss the tolerance.
  const encoder = await options.backend.createSession(options.graphs.encoder, { device: 'cpu' });
  const decoder = await options.backend.createSession(options.graphs.decoder, { device: 'cpu' });
  try {
    const encoderFeeds = [{ data: options.rows, dims: [n, ...options.inputShape] }, ...condition];
    const encoded = await run(encoder, names.encoder.inputs, encoderFeeds);
    const reference = predict(options.models.encoder, encoderFeeds);
    names.encoder.outputs.forEach((name, i) => {
      rows.push(compare('encoder', name, `${n} data rows`, encoded[name]!.data, reference[i]!, tolerance));
    });
    const latents: Array<[string, Float32Array]> = [
      ['posterior means of the rows', reference[0]!],
      ['seeded prior draws', samplePrior(n, J, { seed: options.seed, stream: 0 })],
    ];
    for (const [label, z] of latents) {
      const feeds = [{ data: z, dims: [n, J] }, ...condition];
      const decoded = await run(decoder, names.decoder.inputs, feeds);
      const expected = predict(options.models.decoder, feeds);
      names.decoder.outputs.forEach((name, i) => {
        rows.push(compare('decoder', name, `${n} ${label}`, decoded[name]!.data, expected[i]!, tolerance));
      });
    }
  } finally {
    await encoder.release();
    await decoder.release();
  }
  return { runtime: options.backend.name, tolerance, samples: n, rows, passed: rows.every((r) => r.passed) };
}

/**
 * The report as an aligned text table, for the CLI. With `gate: false` (a precision's cost, not a
 * check) only the differences are shown.
 */
export function formatVerification(report: VerificationReport, options: { gate?: boolean } = {}): string {
  const gate = options.gate ?? true;
  const header = gate ? ['graph', 'output', 'inputs', 'max |diff|', 'worst / tolerance', ''] : ['graph', 'output', 'inputs', 'max |diff|'];
  const lines = report.rows.map((r) => {
    const cells = [r.graph, r.output, r.inputs, r.maxAbsDiff.toExponential(2)];
    return gate ? [...cells, `${r.worstRatio.toFixed(3)} (|value| ${r.magnitudeAtWorst.toPrecision(3)})`, r.passed ? 'ok' : 'FAIL'] : cells;
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const title = gate
    ? `${report.runtime} vs tfjs, tolerance |diff| ≤ ${report.tolerance.absolute} + ${report.tolerance.relative}·|tfjs|`
    : `${report.runtime} vs tfjs`;
  return [title, format(header), ...lines.map(format)].join('\n');
}
