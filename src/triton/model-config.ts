/**
 * config.pbtxt: one NVIDIA Triton model's configuration, written as the protobuf text format of
 * Triton's `inference.ModelConfig` (model_config.proto in triton-inference-server/common). Only
 * the fields vaekit needs are written; each name below is the proto's field name:
 *
 *   name (1), platform (2), max_batch_size (4), input (5), output (6), dynamic_batching (11);
 *   ModelInput name (1), data_type (2), dims (4); ModelOutput name (1), data_type (2), dims (3);
 *   ModelDynamicBatching max_queue_delay_microseconds (2); DataType TYPE_FP32 (11).
 *
 * Plain text, no protobuf library: the product needs neither protoc nor Python. The tests parse
 * every file with Debian's protoc against those field numbers (test/fixtures/triton/).
 */

/** The first line of every config.pbtxt vaekit writes: how vaekit knows a repository is its own. */
export const TRITON_CONFIG_MARKER = '# Written by `vaekit triton`';

/** One input or output: its graph name and dimensions as Triton wants them (-1: any size). */
export interface TritonTensor {
  name: string;
  dims: number[];
}

export interface TritonModelConfig {
  /** The model's name: its folder's name in the repository. */
  name: string;
  /** 0: the graph fixes its batch dimension, and `dims` hold it; > 0: `dims` leave the batch out. */
  maxBatchSize: number;
  /** Dynamic batching's queue delay (written only when maxBatchSize > 0). */
  maxQueueDelayMicroseconds: number;
  inputs: TritonTensor[];
  outputs: TritonTensor[];
  /** A comment line or two for people (where the model came from). */
  comment?: string[];
}

/**
 * A string literal of the protobuf text format: the UTF-8 bytes, with `"`, `\`, and every byte
 * that is not printable ASCII written as an octal escape, so any graph name survives as it is.
 */
export function textFormatString(value: string): string {
  let out = '"';
  for (const byte of new TextEncoder().encode(value)) {
    if (byte === 0x22) out += '\\"';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function tensorBlock(tensor: TritonTensor): string {
  return [
    '  {',
    `    name: ${textFormatString(tensor.name)}`,
    '    data_type: TYPE_FP32',
    `    dims: [ ${tensor.dims.join(', ')} ]`,
    '  }',
  ].join('\n');
}

function tensorList(field: 'input' | 'output', tensors: TritonTensor[]): string {
  return `${field} [\n${tensors.map(tensorBlock).join(',\n')}\n]`;
}

/**
 * The text of config.pbtxt for `config`.
 *
 * @example
 * ```ts
 * tritonModelConfig({ name: 'mnist-mlp-decoder', maxBatchSize: 256, maxQueueDelayMicroseconds: 100,
 *   inputs: [{ name: 'z', dims: [20] }], outputs: [{ name: 'mean', dims: [28, 28, 1] }] });
 * // name: "mnist-mlp-decoder"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 256\n…
 * ```
 */
export function tritonModelConfig(config: TritonModelConfig): string {
  const lines = [TRITON_CONFIG_MARKER, ...(config.comment ?? []).map((line) => `# ${line.replace(/[\r\n]+/g, ' ')}`)];
  lines.push(`name: ${textFormatString(config.name)}`, 'platform: "onnxruntime_onnx"', `max_batch_size: ${config.maxBatchSize}`);
  if (config.maxBatchSize > 0) lines.push(`dynamic_batching {\n  max_queue_delay_microseconds: ${config.maxQueueDelayMicroseconds}\n}`);
  lines.push(tensorList('input', config.inputs), tensorList('output', config.outputs));
  return `${lines.join('\n')}\n`;
}
