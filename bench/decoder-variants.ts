/**
 * The shipped decoder graph in other forms, same weights, for bench/browser-decode.ts: each
 * MatMul + Add (bias initializer) pair of a dense layer replaced by one Gemm node, with the
 * kernel as stored ([in, out]) or transposed ([out, in], transB = 1). Also reads the float
 * initializers so that tfjs and the roofline run on exactly these weights.
 */
import { onnx, type OnnxTypes } from '../export/onnx.js';

export type GraphForm = 'matmul-add' | 'gemm' | 'gemm-transB';

function floats(t: OnnxTypes.ITensorProto): Float32Array {
  const raw = t.rawData!;
  const out = new Float32Array(raw.length / 4);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

function rawBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** The float32 initializers of `model` by name, with their dims. */
export function floatInitializers(model: Uint8Array): Map<string, { dims: number[]; data: Float32Array }> {
  const out = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const t of onnx.ModelProto.decode(model).graph!.initializer!) {
    if (t.dataType === onnx.TensorProto.DataType.FLOAT) out.set(t.name!, { dims: t.dims!.map(Number), data: floats(t) });
  }
  return out;
}

/** `model` with its dense layers in `form` (the shipped graph is 'matmul-add'). */
export function decoderInForm(model: Uint8Array, form: GraphForm): Uint8Array {
  if (form === 'matmul-add') return model;
  const decoded = onnx.ModelProto.decode(model);
  const graph = decoded.graph!;
  const inits = new Map(graph.initializer!.map((t) => [t.name!, t]));
  const nodes = graph.node!;
  const out: OnnxTypes.INodeProto[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const mm = nodes[i]!;
    const add = nodes[i + 1];
    const kernel = inits.get(mm.input![1]!);
    const bias = add ? inits.get(add.input![1]!) : undefined;
    if (mm.opType !== 'MatMul' || add?.opType !== 'Add' || add.input![0] !== mm.output![0] || !kernel || !bias) {
      out.push(mm);
      continue;
    }
    const attribute: OnnxTypes.IAttributeProto[] = [];
    if (form === 'gemm-transB') {
      const [k, n] = kernel.dims!.map(Number) as [number, number];
      const w = floats(kernel);
      const t = new Float32Array(k * n);
      for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) t[c * k + r] = w[r * n + c]!;
      kernel.rawData = rawBytes(t);
      kernel.dims = [n, k];
      attribute.push({ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 });
    }
    out.push({ opType: 'Gemm', name: `${mm.name ?? mm.output![0]}_gemm`, input: [mm.input![0]!, mm.input![1]!, add.input![1]!], output: add.output, attribute });
    i++;
  }
  graph.node = out;
  return onnx.ModelProto.encode(decoded).finish();
}
