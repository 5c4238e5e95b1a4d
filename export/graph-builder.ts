import { VaekitError } from '../src/errors.js';
import { IR_VERSION, OPSET, onnx, type OnnxTypes } from './onnx.js';

/** Attribute values a node may carry; arrays of numbers become `ints` unless they hold a fraction. */
export type AttributeValue = number | string | number[] | { floats: number[] } | { float: number };

/** Precision of the weights stored in the graph; computation stays float32 either way. */
export type WeightPrecision = 'fp32' | 'fp16';

export interface GraphValue {
  name: string;
  /** Dimensions; null = the symbolic batch dimension `N`, a string = another symbolic one. */
  shape: Array<number | string | null>;
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;
const FLOAT16 = onnx.TensorProto.DataType.FLOAT16;
const INT64 = onnx.TensorProto.DataType.INT64;

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') {
    return Number.isInteger(value) ? { name, type: T.INT, i: value } : { name, type: T.FLOAT, f: value };
  }
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('floats' in value) return { name, type: T.FLOATS, floats: value.floats };
  return { name, type: T.FLOAT, f: value.float };
}

function valueInfo(value: GraphValue): OnnxTypes.IValueInfoProto {
  return {
    name: value.name,
    type: {
      tensorType: {
        elemType: FLOAT,
        shape: {
          dim: value.shape.map((d) => (d === null ? { dimParam: 'N' } : typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}

function float16Bytes(values: Float32Array, toHalf: (v: number) => number): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setUint16(i * 2, toHalf(values[i]!), true);
  return bytes;
}

/**
 * Builds one ONNX graph: unique value names, float initializers stored as raw little-endian
 * bytes (float32, or float16 followed by a Cast to float32), nodes in the order added.
 */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly inputs: GraphValue[] = [];
  private readonly outputs: GraphValue[] = [];
  private readonly used = new Set<string>();
  private parameterCount = 0;
  private readonly pendingOutputs = new Set<string>();
  private readonly named = new Set<string>();

  constructor(
    readonly name: string,
    readonly precision: WeightPrecision = 'fp32',
    private readonly toHalf?: (value: number) => number,
  ) {
    if (precision === 'fp16' && !toHalf) throw new Error('fp16 weights need a float16 conversion');
  }

  /** A fresh value name based on `hint` (sanitized, suffixed when taken). */
  uniqueName(hint: string): string {
    const base = hint.replace(/[^A-Za-z0-9_./-]/g, '_') || 'value';
    let name = base;
    for (let k = 1; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  /** Reserves an exact name (graph inputs and outputs of the contract). */
  reserve(name: string): string {
    if (this.used.has(name)) throw new VaekitError('invalid-argument', `the graph already has a value named '${name}'`);
    this.used.add(name);
    return name;
  }

  addInput(name: string, shape: Array<number | null>): string {
    this.inputs.push({ name: this.reserve(name), shape });
    return name;
  }

  /** An input whose every dimension is symbolic (named), e.g. ['N', 'K', 'D']. */
  addSymbolicInput(name: string, dims: string[]): void {
    this.inputs.push({ name: this.reserve(name), shape: dims });
  }

  /** An output with named symbolic dimensions; it must be produced by a node. */
  addSymbolicOutput(name: string, dims: string[]): void {
    this.outputs.push({ name, shape: dims });
  }

  /** Declares `value` a graph output; it must be produced by a node. */
  addOutput(name: string, shape: Array<number | null>): void {
    this.outputs.push({ name, shape });
  }

  /** Float weights: counted as parameters, stored in the graph's weight precision. */
  addWeight(hint: string, values: Float32Array, dims: number[]): string {
    this.parameterCount += values.length;
    if (this.precision === 'fp32') return this.addFloatConstant(hint, values, dims);
    const stored = this.uniqueName(`${hint}_fp16`);
    this.initializers.push({ name: stored, dataType: FLOAT16, dims, rawData: float16Bytes(values, this.toHalf!) });
    return this.node('Cast', [stored], { to: FLOAT }, hint)[0]!;
  }

  /** A float32 constant that is not a learned parameter (e.g. a folded scale). */
  addFloatConstant(hint: string, values: Float32Array, dims: number[]): string {
    const name = this.uniqueName(hint);
    const raw = new Uint8Array(values.length * 4);
    const view = new DataView(raw.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
    this.initializers.push({ name, dataType: FLOAT, dims, rawData: raw });
    return name;
  }

  /** An int64 constant (shapes, axes). */
  addInt64Constant(hint: string, values: number[]): string {
    const name = this.uniqueName(hint);
    const raw = new Uint8Array(values.length * 8);
    const view = new DataView(raw.buffer);
    values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
    this.initializers.push({ name, dataType: INT64, dims: [values.length], rawData: raw });
    return name;
  }

  /**
   * Appends a node. Output names are fresh names from `outputHint` (one per `outputs`), or the
   * exact names given in `outputNames`.
   */
  node(
    opType: string,
    inputs: string[],
    attributes: Record<string, AttributeValue> = {},
    outputHint = opType.toLowerCase(),
    options: { outputs?: number; outputNames?: string[] } = {},
  ): string[] {
    const outputs =
      options.outputNames ??
      Array.from({ length: options.outputs ?? 1 }, (_, i) => this.uniqueName(i === 0 ? outputHint : `${outputHint}_${i}`));
    this.nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: this.uniqueName(`${outputHint}/${opType}`),
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Keeps the contract's output names free, so no internal value takes them before `nameValue`. */
  reserveOutputNames(names: string[]): void {
    for (const name of names) {
      this.reserve(name);
      this.pendingOutputs.add(name);
    }
  }

  /**
   * Gives the value `from` the exact name `to`, reserved with `reserveOutputNames` (graph outputs
   * carry the contract's names). A graph input, or a value already named once, gets an Identity.
   */
  nameValue(from: string, to: string): void {
    if (!this.pendingOutputs.delete(to)) throw new Error(`'${to}' was not reserved as an output name`);
    const producer = this.nodes.find((n) => n.output?.includes(from));
    if (!producer || this.named.has(from)) {
      this.node('Identity', [from], {}, to, { outputNames: [to] });
      return;
    }
    for (const node of this.nodes) {
      node.output = node.output!.map((o) => (o === from ? to : o));
      node.input = node.input!.map((i) => (i === from ? to : i));
    }
    this.named.add(to);
  }

  /** Learned float parameters added so far. */
  get parameters(): number {
    return this.parameterCount;
  }

  /** The finished ModelProto, encoded. */
  encode(producerVersion: string, docString = ''): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET }],
      producerName: 'vaekit',
      producerVersion,
      docString,
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs.map(valueInfo),
        output: this.outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
