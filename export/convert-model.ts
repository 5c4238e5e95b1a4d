import type * as tfl from '@tensorflow/tfjs-layers';
import { VaekitError } from '../src/errors.js';
import type { LayerWeight, Shape } from './converters/converter.js';
import { getLayerConverter, supportedLayerClasses } from './converters/index.js';
import { GraphBuilder, type GraphValue, type WeightPrecision } from './graph-builder.js';

export interface ConvertModelOptions {
  /** Graph name, e.g. `encoder`. */
  name: string;
  /** Graph input names for `model.inputs`, in order (the contract's `x`, `c`, `z`). */
  inputNames: string[];
  /** Graph output names for `model.outputs`, in order (`mu`, `logvar`, `logits`, `mean`, …). */
  outputNames: string[];
  precision?: WeightPrecision;
  /** float32 → float16 bits, for fp16 weights. */
  toHalf?: (value: number) => number;
  producerVersion: string;
}

export interface ConvertedGraph {
  bytes: Uint8Array;
  inputs: GraphValue[];
  outputs: GraphValue[];
  /** Learned float parameters stored in the graph. */
  parameters: number;
}

interface SymbolicTensorLike {
  id: number;
  shape: Shape;
}
interface NodeLike {
  inputTensors: SymbolicTensorLike[];
  outputTensors: SymbolicTensorLike[];
}

function layerWeights(layer: tfl.layers.Layer): Map<string, LayerWeight> {
  const weights = new Map<string, LayerWeight>();
  for (const w of layer.weights) {
    const short = w.originalName.split('/').pop()!;
    const tensor = w.read();
    weights.set(short, { values: Float32Array.from(tensor.dataSync() as Float32Array), shape: [...tensor.shape] });
  }
  return weights;
}

/** Sequential models keep their functional graph in `.model`. */
function functional(model: tfl.LayersModel): tfl.LayersModel {
  const inner = (model as unknown as { model?: tfl.LayersModel }).model;
  return model.getClassName() === 'Sequential' && inner ? inner : model;
}

/**
 * Converts a tfjs LayersModel (functional or sequential) into an ONNX graph, layer by layer in
 * topological order, each through the converter registered for its class. The batch dimension
 * is symbolic (`N`); every other dimension is fixed.
 */
export function convertLayersModel(modelIn: tfl.LayersModel, options: ConvertModelOptions): ConvertedGraph {
  const model = functional(modelIn);
  if (options.inputNames.length !== model.inputs.length || options.outputNames.length !== model.outputs.length) {
    throw new VaekitError(
      'invalid-argument',
      `model '${model.name}' has ${model.inputs.length} input(s) and ${model.outputs.length} output(s); ` +
        `found names for ${options.inputNames.length} and ${options.outputNames.length}`,
    );
  }
  const graph = new GraphBuilder(options.name, options.precision ?? 'fp32', options.toHalf);
  graph.reserveOutputNames(options.outputNames);
  const names = new Map<number, string>();
  const inputs: GraphValue[] = model.inputs.map((t, i) => {
    const shape = [null, ...t.shape.slice(1)] as Shape;
    names.set(t.id, graph.addInput(options.inputNames[i]!, shape));
    return { name: options.inputNames[i]!, shape };
  });

  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    const converter = getLayerConverter(className);
    if (!converter) {
      throw new VaekitError(
        'invalid-argument',
        `cannot export layer '${layer.name}' of class ${className}; supported layer classes: ${supportedLayerClasses().join(', ')}`,
      );
    }
    const weights = layerWeights(layer);
    for (const node of layer.inboundNodes as unknown as NodeLike[]) {
      // A layer shared with another model has nodes whose inputs are not in this graph.
      if (!node.inputTensors.every((t) => names.has(t.id))) continue;
      if (node.outputTensors.length !== 1) {
        throw new VaekitError('invalid-argument', `cannot export layer '${layer.name}': it has ${node.outputTensors.length} outputs; vaekit converts single-output layers`);
      }
      const output = converter({
        layer,
        config: layer.getConfig() as Record<string, unknown>,
        inputs: node.inputTensors.map((t) => names.get(t.id)!),
        inputShapes: node.inputTensors.map((t) => t.shape),
        outputShape: node.outputTensors[0]!.shape,
        weights,
        graph,
        hint: layer.name,
      });
      names.set(node.outputTensors[0]!.id, output);
    }
  }

  const outputs: GraphValue[] = model.outputs.map((t, i) => {
    const value = names.get(t.id);
    if (value === undefined) throw new VaekitError('invalid-argument', `model '${model.name}': output ${i} is not reachable from its inputs`);
    const name = options.outputNames[i]!;
    graph.nameValue(value, name);
    const shape = [null, ...t.shape.slice(1)] as Shape;
    graph.addOutput(name, shape);
    return { name, shape };
  });
  return { bytes: graph.encode(options.producerVersion), inputs, outputs, parameters: graph.parameters };
}
