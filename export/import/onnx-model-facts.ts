/**
 * What `vaekit import` reads from a foreign ONNX model besides its inputs and outputs
 * (src/manifest/graph-inspection.ts has those): IR version, default-domain opset, producer, the
 * main graph's nodes (op type, inputs, outputs) and its initializers' sizes. Weights are skipped
 * without decoding. Field numbers are those of onnx.proto (onnx 1.12).
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
}

export interface OnnxModelFacts {
  irVersion: number;
  /** The default domain's (`""` or `ai.onnx`) opset version; 0 when the model names none. */
  opset: number;
  producer: { name: string; version: string };
  nodes: OnnxNode[];
  /** Elements stored in initializers: the learned parameters. */
  parameters: number;
  /** Names of the initializers (inputs that are weights, not feeds). */
  initializers: Set<string>;
}

const Model = { irVersion: 1, producerName: 2, producerVersion: 3, graph: 7, opsetImport: 8 } as const;
const Opset = { domain: 1, version: 2 } as const;
const Graph = { node: 1, initializer: 5 } as const;
const Node = { input: 1, output: 2, opType: 4 } as const;
const Tensor = { dims: 1, name: 8 } as const;

function eachField(bytes: Uint8Array, visit: (field: number, wireType: WireType, reader: BinaryReader) => boolean): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (!visit(field, wireType, reader)) reader.skip(wireType, field);
  }
}

/** A repeated int64 field, packed or not. */
function int64s(wireType: WireType, reader: BinaryReader, into: number[]): void {
  if (wireType === WireType.LengthDelimited) {
    const packed = new BinaryReader(reader.bytes());
    while (packed.pos < packed.len) into.push(Number(packed.int64()));
  } else into.push(Number(reader.int64()));
}

function readNode(bytes: Uint8Array): OnnxNode {
  const node: OnnxNode = { opType: '', inputs: [], outputs: [] };
  eachField(bytes, (field, wireType, reader) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (field === Node.input) node.inputs.push(reader.string());
    else if (field === Node.output) node.outputs.push(reader.string());
    else if (field === Node.opType) node.opType = reader.string();
    else return false;
    return true;
  });
  return node;
}

function readInitializer(bytes: Uint8Array): { name: string; elements: number } {
  const dims: number[] = [];
  let name = '';
  eachField(bytes, (field, wireType, reader) => {
    if (field === Tensor.dims) int64s(wireType, reader, dims);
    else if (field === Tensor.name && wireType === WireType.LengthDelimited) name = reader.string();
    else return false;
    return true;
  });
  return { name, elements: dims.reduce((a, b) => a * b, 1) };
}

/** Reads the facts of the model in `bytes` (a whole .onnx file). */
export function readOnnxModelFacts(bytes: Uint8Array): OnnxModelFacts {
  const facts: OnnxModelFacts = { irVersion: 0, opset: 0, producer: { name: '', version: '' }, nodes: [], parameters: 0, initializers: new Set() };
  eachField(bytes, (field, wireType, reader) => {
    if (field === Model.irVersion && wireType === WireType.Varint) facts.irVersion = Number(reader.int64());
    else if (field === Model.producerName && wireType === WireType.LengthDelimited) facts.producer.name = reader.string();
    else if (field === Model.producerVersion && wireType === WireType.LengthDelimited) facts.producer.version = reader.string();
    else if (field === Model.opsetImport && wireType === WireType.LengthDelimited) {
      let domain = '';
      let version = 0;
      eachField(reader.bytes(), (f, w, r) => {
        if (f === Opset.domain && w === WireType.LengthDelimited) domain = r.string();
        else if (f === Opset.version && w === WireType.Varint) version = Number(r.int64());
        else return false;
        return true;
      });
      if (domain === '' || domain === 'ai.onnx') facts.opset = version;
    } else if (field === Model.graph && wireType === WireType.LengthDelimited) {
      eachField(reader.bytes(), (f, w, r) => {
        if (w !== WireType.LengthDelimited) return false;
        if (f === Graph.node) facts.nodes.push(readNode(r.bytes()));
        else if (f === Graph.initializer) {
          const { name, elements } = readInitializer(r.bytes());
          facts.parameters += elements;
          facts.initializers.add(name);
        } else return false;
        return true;
      });
    } else return false;
    return true;
  });
  return facts;
}

/** Ops that only move or reshape values: looking through them finds what computed an output. */
const SHAPE_ONLY = new Set(['Identity', 'Reshape', 'Flatten', 'Squeeze', 'Unsqueeze', 'Transpose', 'View']);

/**
 * The op that computed `output`, looking back through shape-only ops (a PyTorch decoder often ends
 * in `Sigmoid` then `Reshape`/`View`); null when a graph input or initializer is reached.
 */
export function producingOp(facts: OnnxModelFacts, output: string): string | null {
  const byOutput = new Map<string, OnnxNode>();
  for (const node of facts.nodes) for (const o of node.outputs) byOutput.set(o, node);
  let name = output;
  for (let hops = 0; hops < 64; hops++) {
    const node = byOutput.get(name);
    if (!node) return null;
    if (!SHAPE_ONLY.has(node.opType) || node.inputs.length === 0) return node.opType;
    name = node.inputs[0]!;
  }
  return null;
}
