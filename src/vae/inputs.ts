import { VaekitError } from '../errors.js';
import type { InputLayout } from '../manifest/schema.js';
import { hwcToChw, imageDims } from './pixel-layout.js';
import { product, type VaeTensor } from './tensor.js';

/** Pixels of a canvas: what `ctx.getImageData()` returns (RGBA, 0–255). */
export interface ImageDataLike {
  data: Uint8ClampedArray | Uint8Array;
  width: number;
  height: number;
}

/**
 * What the SDK accepts as a batch of examples (or latents):
 * - `{ data: Float32Array, shape }` with shape [N, …] or one example's shape;
 * - a bare Float32Array holding N whole examples;
 * - nested number arrays ([N][…] or one example);
 * - ImageData-like objects (one or an array), converted to the model's channels and layout (hwc or
 *   chw) and scaled to [0, 1].
 */
export type ExamplesInput = VaeTensor | Float32Array | number[] | number[][] | number[][][] | number[][][][] | ImageDataLike | ImageDataLike[];

function isImageData(value: unknown): value is ImageDataLike {
  const v = value as ImageDataLike;
  return v != null && typeof v === 'object' && typeof v.width === 'number' && typeof v.height === 'number' && ArrayBuffer.isView(v.data);
}

function flatten(value: unknown, name: string): { data: Float32Array; dims: number[] } {
  const dims: number[] = [];
  let probe: unknown = value;
  while (Array.isArray(probe)) {
    dims.push(probe.length);
    probe = probe[0];
  }
  const data = new Float32Array(product(dims));
  let k = 0;
  const walk = (v: unknown, depth: number, path: string) => {
    if (depth === dims.length) {
      if (typeof v !== 'number') {
        throw new VaekitError('dtype-mismatch', `'${name}${path}' must be a number; found ${v === null ? 'null' : typeof v}`);
      }
      data[k++] = v;
      return;
    }
    if (!Array.isArray(v) || v.length !== dims[depth]) {
      throw new VaekitError(
        'shape-mismatch',
        `'${name}${path}' must be an array of ${dims[depth]} (the nesting must be rectangular); found ${Array.isArray(v) ? `an array of ${v.length}` : typeof v}`,
      );
    }
    v.forEach((item, i) => walk(item, depth + 1, `${path}[${i}]`));
  };
  walk(value, 0, '');
  return { data, dims };
}

function fromImages(images: ImageDataLike[], shape: number[], layout: InputLayout, name: string): Float32Array {
  const dims = imageDims(shape, layout);
  if (!dims || (dims.channels !== 1 && dims.channels !== 3)) {
    const wanted = layout === 'chw' ? '[1 or 3, H, W] (chw)' : '[H, W, 1 or 3] (hwc)';
    throw new VaekitError('invalid-argument', `'${name}': ImageData input needs an image model (input shape ${wanted}); this model's input shape is [${shape.join(', ')}] (${layout})`);
  }
  const { height, width, channels } = dims;
  const plane = width * height;
  const out = new Float32Array(images.length * plane * channels);
  images.forEach((image, n) => {
    if (image.width !== width || image.height !== height) {
      throw new VaekitError(
        'shape-mismatch',
        `'${name}${images.length > 1 ? `[${n}]` : ''}' must be ${width}×${height} pixels (draw it scaled, e.g. ctx.drawImage(canvas, 0, 0, ${width}, ${height})); found ${image.width}×${image.height}`,
      );
    }
    if (image.data.length < plane * 4) {
      throw new VaekitError('shape-mismatch', `'${name}${images.length > 1 ? `[${n}]` : ''}.data' must hold ${plane * 4} RGBA bytes for ${width}×${height} pixels; found ${image.data.length}`);
    }
    for (let p = 0; p < plane; p++) {
      const r = image.data[p * 4]!, g = image.data[p * 4 + 1]!, b = image.data[p * 4 + 2]!;
      const base = (n * plane + p) * channels;
      if (channels === 1) out[n * plane + p] = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
      else {
        out[base] = r / 255;
        out[base + 1] = g / 255;
        out[base + 2] = b / 255;
      }
    }
  });
  // Pixels arrive channel-last; a chw model takes each channel's plane in turn.
  return layout === 'chw' ? hwcToChw(out, images.length, dims) : out;
}

/**
 * Turns any accepted input into a [N, …shape] float32 batch, or says precisely what is wrong:
 * shape (names expected and found), dtype, NaN/±Infinity (the first index). `layout` orders
 * ImageData's pixels; other inputs are taken in the model's order as given.
 */
export function toBatch(input: ExamplesInput, shape: readonly number[], name: string, layout: InputLayout = 'hwc'): VaeTensor {
  const size = product(shape);
  let data: Float32Array;
  if (isImageData(input) || (Array.isArray(input) && input.length > 0 && isImageData(input[0]))) {
    const images = (Array.isArray(input) ? input : [input]) as ImageDataLike[];
    data = fromImages(images, [...shape], layout, name);
  } else if (input instanceof Float32Array) {
    data = input;
  } else if (ArrayBuffer.isView(input)) {
    throw new VaekitError(
      'dtype-mismatch',
      `'${name}' must hold float32 values (Float32Array, nested number arrays or ImageData); found ${input.constructor.name} — convert with Float32Array.from(…)`,
    );
  } else if (Array.isArray(input)) {
    const flat = flatten(input, name);
    const trailing = flat.dims.slice(-shape.length);
    const isOne = flat.dims.length === shape.length;
    if (flat.dims.length === 0 || (flat.dims.length !== shape.length && flat.dims.length !== shape.length + 1) || trailing.some((d, i) => d !== shape[i])) {
      throw new VaekitError('shape-mismatch', `'${name}' must have shape [N, ${shape.join(', ')}] or [${shape.join(', ')}]; found [${flat.dims.join(', ')}]${layoutHint(flat.dims, shape, layout)}`);
    }
    data = flat.data;
    if (isOne) return checkFinite({ data, shape: [1, ...shape] }, name);
  } else if (input && typeof input === 'object' && 'data' in input && 'shape' in input) {
    const t = input as VaeTensor;
    if (!(t.data instanceof Float32Array)) {
      throw new VaekitError('dtype-mismatch', `'${name}.data' must be a Float32Array; found ${describe(t.data)}`);
    }
    if (!Array.isArray(t.shape)) throw new VaekitError('shape-mismatch', `'${name}.shape' must be an array [N, ${shape.join(', ')}]; found ${describe(t.shape)}`);
    const dims = [...t.shape];
    const ok = (dims.length === shape.length + 1 && dims.slice(1).every((d, i) => d === shape[i])) || (dims.length === shape.length && dims.every((d, i) => d === shape[i]));
    if (!ok) throw new VaekitError('shape-mismatch', `'${name}.shape' must be [N, ${shape.join(', ')}]; found [${dims.join(', ')}]${layoutHint(dims, shape, layout)}`);
    if (t.data.length !== product(dims)) {
      throw new VaekitError('shape-mismatch', `'${name}.data' must hold ${product(dims)} values for shape [${dims.join(', ')}]; found ${t.data.length}`);
    }
    data = t.data;
  } else {
    throw new VaekitError('invalid-argument', `'${name}' must be a Float32Array, { data, shape }, nested number arrays or ImageData; found ${describe(input)}`);
  }
  if (data.length === 0 || data.length % size !== 0) {
    throw new VaekitError('shape-mismatch', `'${name}' must hold whole examples of ${size} values ([${shape.join(', ')}]); found ${data.length} values`);
  }
  return checkFinite({ data, shape: [data.length / size, ...shape] }, name);
}

/** When `dims` end with the model's image in the other layout, says so: the fix is a transpose. */
function layoutHint(dims: readonly number[], shape: readonly number[], layout: InputLayout): string {
  const image = imageDims(shape, layout);
  if (!image || image.channels === 1) return '';
  const { height: h, width: w, channels: c } = image;
  const other = layout === 'chw' ? [h, w, c] : [c, h, w];
  if (dims.length < 3 || dims.slice(-3).some((d, i) => d !== other[i])) return '';
  return layout === 'chw'
    ? ' — channel-last images: this model takes channel-first (chw) ones, transpose them (or pass ImageData)'
    : ' — channel-first images: this model takes channel-last (hwc) ones, transpose them (or pass ImageData)';
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value)) return value.constructor.name;
  return Array.isArray(value) ? 'an array' : typeof value;
}

function checkFinite(batch: VaeTensor, name: string): VaeTensor {
  const { data } = batch;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new VaekitError('non-finite', `'${name}' must be finite; found ${data[i]} at flat index ${i} (example ${Math.floor(i / (data.length / batch.shape[0]!))})`);
    }
  }
  return batch;
}
