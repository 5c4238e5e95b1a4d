import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { expect } from 'vitest';
import { convertLayersModel, type ConvertedGraph } from '../../../export/convert-model.js';
import { onnx } from '../../../export/onnx.js';
import { ortNodeBackend } from '../../../src/runtime/ort-node.js';
import { selectBackend } from '../../../src/train/backend/select-backend.js';

// torch.testing's float32 defaults: |onnx − tfjs| ≤ ATOL + RTOL·|tfjs| elementwise.
export const ATOL = 1e-5;
export const RTOL = 1.3e-6;

export async function useWasm(): Promise<void> {
  await selectBackend('wasm');
}

/** A functional model `x → build(x)` with a named input of shape [N, …shape]. */
export function modelOf(shape: number[], build: (x: tfl.SymbolicTensor) => tfl.SymbolicTensor): tfl.LayersModel {
  const x = tfl.input({ shape, name: 'x' });
  return tfl.model({ inputs: x, outputs: build(x) });
}

/**
 * Replaces every weight with seeded draws of a trained-like scale: kernels ~ N(0, 1/fan-in),
 * biases, betas and means ~ N(0, 0.5²), gammas ~ N(1, 0.3²), variances ~ U(0.3, 2).
 */
export function seedWeights(model: tfl.LayersModel, seed = 1): void {
  let k = seed;
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    const values = layer.weights.map((w) => {
      const name = w.originalName.split('/').pop()!;
      const shape = w.shape as number[];
      if (name === 'moving_variance') return tf.randomUniform(shape, 0.3, 2, 'float32', k++);
      if (name === 'gamma') return tf.randomNormal(shape, 1, 0.3, 'float32', k++);
      if (shape.length < 2) return tf.randomNormal(shape, 0, 0.5, 'float32', k++);
      const fanIn = shape.reduce((a, b) => a * b, 1) / shape[shape.length - 1]!;
      return tf.randomNormal(shape, 0, 1 / Math.sqrt(fanIn), 'float32', k++);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

export interface Comparison {
  graph: ConvertedGraph;
  /** Largest |onnx − tfjs| over all outputs and batch sizes. */
  maxAbs: number;
  /** Largest |onnx − tfjs| / (ATOL + RTOL·|tfjs|): ≤ 1 passes. */
  worst: number;
}

/**
 * Seeds the weights, converts the model, and runs the one graph in onnxruntime-node at every
 * batch size (the batch dimension is symbolic) on seeded N(0, inputStd²) inputs, against tfjs'
 * `model.predict`; asserts the tolerance and returns the differences.
 */
export async function expectMatchesTfjs(
  model: tfl.LayersModel,
  options: { batches?: number[]; seed?: number; inputStd?: number; label?: string } = {},
): Promise<Comparison> {
  const { batches = [1, 5], seed = 7, inputStd = 1 } = options;
  seedWeights(model, seed);
  const graph = convertLayersModel(model, {
    name: 'test',
    inputNames: model.inputs.map((_, i) => `in${i}`),
    outputNames: model.outputs.map((_, i) => `out${i}`),
    producerVersion: 'test',
  });
  for (const value of [...graph.inputs, ...graph.outputs]) expect(value.shape[0]).toBeNull();
  const session = await ortNodeBackend.createSession(graph.bytes);
  let maxAbs = 0;
  let worst = 0;
  try {
    for (const batch of batches) {
      const xs = model.inputs.map((t, i) => tf.randomNormal([batch, ...(t.shape.slice(1) as number[])], 0, inputStd, 'float32', seed * 1000 + batch * 10 + i));
      const predicted = model.predict(xs);
      const expected = Array.isArray(predicted) ? predicted : [predicted];
      const feeds = Object.fromEntries(xs.map((x, i) => [`in${i}`, { data: x.dataSync() as Float32Array, dims: x.shape }]));
      const results = await session.run(feeds);
      expected.forEach((want, i) => {
        const got = results[`out${i}`]!;
        expect(got.dims).toEqual(want.shape);
        const ref = want.dataSync();
        for (let j = 0; j < ref.length; j++) {
          // A NaN on either side counts as an infinite difference: it fails, with a readable report.
          const diff = Math.abs(got.data[j]! - ref[j]!);
          maxAbs = Math.max(maxAbs, Number.isNaN(diff) ? Infinity : diff);
          worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff / (ATOL + RTOL * Math.abs(ref[j]!)));
        }
      });
      tf.dispose([...xs, ...expected]);
    }
  } finally {
    await session.release();
  }
  if (process.env['VAEKIT_PRINT_DIFFS']) console.log(`[diff] ${options.label ?? model.name}: max |Δ| ${maxAbs.toExponential(2)}, worst ${worst.toFixed(3)} of tolerance`);
  expect(worst, `max |onnx − tfjs| = ${maxAbs}`).toBeLessThanOrEqual(1);
  return { graph, maxAbs, worst };
}

/** The graph's nodes, for checks on operators and attributes. */
export function graphNodes(bytes: Uint8Array) {
  return onnx.ModelProto.decode(bytes).graph!.node!;
}
