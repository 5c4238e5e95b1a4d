/**
 * Open Inference Protocol (KServe v2) infer bodies on the client side: FP32 tensors as JSON, or
 * with Triton's binary tensor data extension (a JSON header of `Inference-Header-Content-Length`
 * bytes, then the raw little-endian tensors). src/serve/oip-tensors.ts is the server side.
 */
import { VaekitError } from '../errors.js';
import type { TensorData } from './backend.js';

export const HEADER_LENGTH = 'inference-header-content-length';

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The little-endian bytes of `data`. */
function toBytes(data: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const bytes = new Uint8Array(data.length * 4);
  const view = new DataView(bytes.buffer);
  data.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return bytes;
}

/** Float32 values from little-endian bytes (copied: the body's bytes need not be 4-aligned). */
function fromBytes(bytes: Uint8Array): Float32Array {
  const copy = bytes.slice();
  if (LITTLE_ENDIAN) return new Float32Array(copy.buffer, 0, copy.length / 4);
  const view = new DataView(copy.buffer);
  return Float32Array.from({ length: copy.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
}

export interface InferBody {
  body: Uint8Array | string;
  headers: Record<string, string>;
}

/** The request: every feed as an FP32 input (named as the server names it), asking for `outputs`. */
export function inferRequest(feeds: Record<string, TensorData>, outputs: readonly string[], binary: boolean): InferBody {
  if (!binary) {
    const inputs = Object.entries(feeds).map(([name, t]) => ({ name, shape: t.dims, datatype: 'FP32', data: Array.from(t.data) }));
    return { body: JSON.stringify({ inputs, outputs: outputs.map((name) => ({ name })) }), headers: { 'content-type': 'application/json' } };
  }
  const chunks = Object.values(feeds).map((t) => toBytes(t.data));
  const header = new TextEncoder().encode(
    JSON.stringify({
      inputs: Object.entries(feeds).map(([name, t]) => ({ name, shape: t.dims, datatype: 'FP32', parameters: { binary_data_size: t.data.length * 4 } })),
      outputs: outputs.map((name) => ({ name, parameters: { binary_data: true } })),
    }),
  );
  const body = new Uint8Array(header.length + chunks.reduce((a, c) => a + c.length, 0));
  body.set(header);
  let at = header.length;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return { body, headers: { 'content-type': 'application/octet-stream', [HEADER_LENGTH]: String(header.length) } };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The length of the JSON object `bytes` start with, or null. A browser hides the response's
 * Inference-Header-Content-Length from a cross-origin page unless the server lists it in
 * Access-Control-Expose-Headers; the header's end is then found by reading the JSON itself.
 */
function jsonObjectLength(bytes: Uint8Array): number | null {
  if (bytes[0] !== 0x7b) return null;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++;
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x7b || b === 0x5b) depth++;
    else if ((b === 0x7d || b === 0x5d) && --depth === 0) return i + 1;
  }
  return null;
}

/** The outputs of an infer response (JSON, or binary when the header says so), by server name. */
export function inferResponse(bytes: Uint8Array, headerLength: string | null, where: string): Record<string, TensorData> {
  const bad = (message: string) => new VaekitError('remote-error', `${where} answered ${message}: not an Open Inference Protocol infer response`);
  let headerBytes = bytes;
  let binary: Uint8Array | null = null;
  if (headerLength === null) {
    // Bytes after a JSON header: binary outputs whose header length the browser did not show us.
    const length = jsonObjectLength(bytes);
    if (length !== null && length < bytes.length) headerLength = String(length);
  }
  if (headerLength !== null) {
    const n = Number(headerLength);
    if (!Number.isInteger(n) || n < 0 || n > bytes.length) throw bad(`${HEADER_LENGTH} ${JSON.stringify(headerLength)} for a body of ${bytes.length} bytes`);
    headerBytes = bytes.subarray(0, n);
    binary = bytes.subarray(n);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch (error) {
    throw bad(`a header that is not JSON (${(error as Error).message})`);
  }
  if (!isObject(header) || !Array.isArray(header.outputs)) throw bad("a body without an 'outputs' array");
  const out: Record<string, TensorData> = {};
  let offset = 0;
  for (const o of header.outputs as unknown[]) {
    if (!isObject(o) || typeof o.name !== 'string' || !Array.isArray(o.shape) || !o.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw bad(`an output ${JSON.stringify(o)?.slice(0, 120)}`);
    }
    if (o.datatype !== 'FP32') throw bad(`output '${o.name}' of datatype ${JSON.stringify(o.datatype)} (FP32 expected)`);
    const dims = o.shape as number[];
    const count = dims.reduce((a, b) => a * b, 1);
    const size = isObject(o.parameters) ? o.parameters.binary_data_size : undefined;
    let data: Float32Array;
    if (size !== undefined) {
      if (!binary || size !== count * 4 || offset + count * 4 > binary.length) throw bad(`output '${o.name}' with binary_data_size ${JSON.stringify(size)} (shape [${dims.join(', ')}], ${binary?.length ?? 0} bytes of binary data)`);
      data = fromBytes(binary.subarray(offset, offset + size));
      offset += size;
    } else {
      const flat = Array.isArray(o.data) ? (o.data.flat(Infinity) as unknown[]) : null;
      if (!flat || flat.length !== count) throw bad(`output '${o.name}' with ${flat ? `${flat.length} values` : 'no data'} for shape [${dims.join(', ')}]`);
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const v = flat[i];
        if (typeof v !== 'number') throw bad(`output '${o.name}' holding ${JSON.stringify(v)} at index ${i}`);
        data[i] = v;
      }
    }
    out[o.name] = { data, dims };
  }
  return out;
}
