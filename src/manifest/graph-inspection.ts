/**
 * What an ONNX graph declares, read from its bytes before ONNX Runtime sees them: the inputs and
 * outputs (names, element types, dimensions) and every tensor whose data lives in an external file.
 *
 * ONNX Runtime resolves external data (`data_location: EXTERNAL`) against the process's working
 * directory when a model is given as bytes, so a graph could read any file the process can and
 * return its bytes as weights. The SDK refuses such graphs before a session exists.
 *
 * Only the fields needed are decoded (@bufbuild/protobuf's wire reader); weights are skipped
 * without copying. Field numbers are those of onnx.proto (onnx 1.12).
 */
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { VaekitError } from '../errors.js';

/** One graph input or output: `dims` holds a number for a fixed dimension, a string for a symbolic one, null when absent. */
export interface GraphValueInfo {
  name: string;
  /** ONNX TensorProto.DataType (1 = float32); 0 when the graph does not say. */
  elemType: number;
  dims: (number | string | null)[] | null;
}

export interface GraphFacts {
  /** The graph's inputs that are not initializers (what a caller must feed). */
  inputs: GraphValueInfo[];
  outputs: GraphValueInfo[];
  /** Tensors stored outside the graph: the tensor's name and the file it names. */
  externalData: { tensor: string; location: string }[];
}

/** ONNX element type names for messages. */
export const ELEMENT_TYPES: Record<number, string> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 16: 'bfloat16',
};

// Nesting of subgraphs (If/Loop bodies) a VAE never needs this deep; bounds the recursion.
const MAX_GRAPH_DEPTH = 32;

const Model = { graph: 7, trainingInfo: 20, functions: 25 } as const;
const Graph = { node: 1, initializer: 5, sparseInitializer: 15, input: 11, output: 12 } as const;
const Node = { attribute: 5 } as const;
const Attribute = { t: 5, g: 6, tensors: 10, graphs: 11, sparseTensor: 22, sparseTensors: 23 } as const;
const Tensor = { name: 8, externalData: 13, dataLocation: 14 } as const;
const SparseTensor = { values: 1, indices: 2 } as const;
const TrainingInfo = { initialization: 1, algorithm: 2 } as const;
const FunctionProto = { node: 7 } as const;
const ValueInfo = { name: 1, type: 2 } as const;
const TypeProto = { tensorType: 1 } as const;
const TensorType = { elemType: 1, shape: 2 } as const;
const Shape = { dim: 1 } as const;
const Dimension = { value: 1, param: 2 } as const;
const StringEntry = { key: 1, value: 2 } as const;

type Visitor = (field: number, wireType: WireType, reader: BinaryReader) => boolean;

/** Calls `visit` for each field of the message in `bytes`; fields it does not consume are skipped. */
function eachField(bytes: Uint8Array, visit: Visitor): void {
  const reader = new BinaryReader(bytes);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (!visit(field, wireType, reader)) reader.skip(wireType, field);
  }
}

/** The bytes of a length-delimited field, or null for another wire type (then the caller skips it). */
function message(wireType: WireType, reader: BinaryReader): Uint8Array | null {
  return wireType === WireType.LengthDelimited ? reader.bytes() : null;
}

class Inspector {
  readonly externalData: GraphFacts['externalData'] = [];

  tensor(bytes: Uint8Array): void {
    let name = '';
    let external = false;
    let location = '';
    eachField(bytes, (field, wireType, reader) => {
      if (field === Tensor.name && wireType === WireType.LengthDelimited) name = reader.string();
      else if (field === Tensor.dataLocation && wireType === WireType.Varint) {
        const location = reader.int32(); // read before `||`: the field must be consumed either way
        external = external || location !== 0;
      }
      else if (field === Tensor.externalData && wireType === WireType.LengthDelimited) {
        external = true;
        let key = '';
        let value = '';
        eachField(reader.bytes(), (f, w, r) => {
          if (w !== WireType.LengthDelimited) return false;
          if (f === StringEntry.key) key = r.string();
          else if (f === StringEntry.value) value = r.string();
          else return false;
          return true;
        });
        if (key === 'location') location = value;
      } else return false;
      return true;
    });
    if (external) this.externalData.push({ tensor: name, location });
  }

  sparseTensor(bytes: Uint8Array): void {
    eachField(bytes, (field, wireType, reader) => {
      if (field !== SparseTensor.values && field !== SparseTensor.indices) return false;
      const m = message(wireType, reader);
      if (m) this.tensor(m);
      return m !== null;
    });
  }

  nodes(bytes: Uint8Array, depth: number): void {
    eachField(bytes, (field, wireType, reader) => {
      const m = field === Node.attribute ? message(wireType, reader) : null;
      if (!m) return false;
      this.attribute(m, depth);
      return true;
    });
  }

  attribute(bytes: Uint8Array, depth: number): void {
    eachField(bytes, (field, wireType, reader) => {
      const tensorField = field === Attribute.t || field === Attribute.tensors;
      const graphField = field === Attribute.g || field === Attribute.graphs;
      const sparseField = field === Attribute.sparseTensor || field === Attribute.sparseTensors;
      if (!tensorField && !graphField && !sparseField) return false;
      const m = message(wireType, reader);
      if (!m) return false;
      if (tensorField) this.tensor(m);
      else if (sparseField) this.sparseTensor(m);
      else this.graph(m, depth + 1, null);
      return true;
    });
  }

  /** Walks a GraphProto; `io` (top level only) collects inputs, outputs and initializer names. */
  graph(bytes: Uint8Array, depth: number, io: { inputs: GraphValueInfo[]; outputs: GraphValueInfo[]; initializers: Set<string> } | null): void {
    if (depth > MAX_GRAPH_DEPTH) throw new VaekitError('corrupt-graph', `the graph nests subgraphs more than ${MAX_GRAPH_DEPTH} levels deep`);
    eachField(bytes, (field, wireType, reader) => {
      const m = message(wireType, reader);
      if (!m) return false;
      if (field === Graph.node) this.nodes(m, depth);
      else if (field === Graph.initializer) {
        this.tensor(m);
        if (io) io.initializers.add(tensorName(m));
      } else if (field === Graph.sparseInitializer) this.sparseTensor(m);
      else if (io && field === Graph.input) io.inputs.push(valueInfo(m));
      else if (io && field === Graph.output) io.outputs.push(valueInfo(m));
      return true;
    });
  }
}

function tensorName(bytes: Uint8Array): string {
  let name = '';
  eachField(bytes, (field, wireType, reader) => {
    if (field !== Tensor.name || wireType !== WireType.LengthDelimited) return false;
    name = reader.string();
    return true;
  });
  return name;
}

function valueInfo(bytes: Uint8Array): GraphValueInfo {
  const info: GraphValueInfo = { name: '', elemType: 0, dims: null };
  eachField(bytes, (field, wireType, reader) => {
    if (wireType !== WireType.LengthDelimited) return false;
    if (field === ValueInfo.name) info.name = reader.string();
    else if (field === ValueInfo.type) {
      eachField(reader.bytes(), (f, w, r) => {
        if (f !== TypeProto.tensorType || w !== WireType.LengthDelimited) return false;
        eachField(r.bytes(), (tf, tw, tr) => {
          if (tf === TensorType.elemType && tw === WireType.Varint) info.elemType = tr.int32();
          else if (tf === TensorType.shape && tw === WireType.LengthDelimited) info.dims = shapeDims(tr.bytes());
          else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return info;
}

function shapeDims(bytes: Uint8Array): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  eachField(bytes, (field, wireType, reader) => {
    if (field !== Shape.dim || wireType !== WireType.LengthDelimited) return false;
    let dim: number | string | null = null;
    eachField(reader.bytes(), (f, w, r) => {
      if (f === Dimension.value && w === WireType.Varint) dim = Number(r.int64());
      else if (f === Dimension.param && w === WireType.LengthDelimited) dim = r.string();
      else return false;
      return true;
    });
    dims.push(dim);
    return true;
  });
  return dims;
}

/**
 * Reads what `bytes` (an ONNX ModelProto) declares. Throws `corrupt-graph` when the bytes are not
 * a protobuf message. Every occurrence of a message field is visited (protobuf merges repeated
 * occurrences), so nothing hidden in a second `graph` field escapes the external-data check.
 *
 * @example
 * ```ts
 * const facts = inspectGraph(new Uint8Array(await readFile('models/mnist-mlp/decoder.onnx')));
 * facts.inputs;        // [{ name: 'z', elemType: 1, dims: ['N', 20] }]
 * facts.externalData;  // [] — vaekit's exporter stores every weight inside the graph
 * ```
 */
export function inspectGraph(bytes: Uint8Array): GraphFacts {
  const inspector = new Inspector();
  const io = { inputs: [] as GraphValueInfo[], outputs: [] as GraphValueInfo[], initializers: new Set<string>() };
  try {
    eachField(bytes, (field, wireType, reader) => {
      const m = message(wireType, reader);
      if (!m) return false;
      if (field === Model.graph) inspector.graph(m, 0, io);
      else if (field === Model.trainingInfo) {
        eachField(m, (f, w, r) => {
          const g = f === TrainingInfo.initialization || f === TrainingInfo.algorithm ? message(w, r) : null;
          if (g) inspector.graph(g, 1, null);
          return g !== null;
        });
      } else if (field === Model.functions) {
        eachField(m, (f, w, r) => {
          const n = f === FunctionProto.node ? message(w, r) : null;
          if (n) inspector.nodes(n, 1);
          return n !== null;
        });
      }
      return true;
    });
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw new VaekitError('corrupt-graph', `the bytes are not an ONNX model (protobuf: ${(cause as Error).message})`, { cause });
  }
  return {
    inputs: io.inputs.filter((i) => !io.initializers.has(i.name)),
    outputs: io.outputs,
    externalData: inspector.externalData,
  };
}
