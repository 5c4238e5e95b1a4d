/**
 * Input complexity L(x) for the anomaly score of Serrà et al. ("Input complexity and
 * out-of-distribution detection with likelihood-based generative models", ICLR 2020): the length
 * in bits of a lossless compression of the image. A likelihood model gives simple images (few
 * strokes, flat backgrounds) a high likelihood whatever it was trained on; subtracting what a
 * generic compressor already explains leaves what the model itself adds.
 *
 * The compressor is PNG's: each 8-bit row gets PNG's adaptive filter (the libpng heuristic: of the
 * five filters, the one with the smallest sum of absolute signed bytes), then DEFLATE at level 9
 * by fflate, pure JavaScript, so Node and browsers compute the same bytes.
 */
import { deflateSync } from 'fflate';
import { VaekitError } from '../errors.js';
import type { ManifestInput } from '../manifest/schema.js';
import { imageDims, type ImageDims } from './pixel-layout.js';

/** Names the compressor in the calibration record: another compressor gives other lengths. */
export const COMPLEXITY_COMPRESSOR = 'png-deflate9/fflate-0.8.3';

/** The picture size of an image model, or a refusal naming the model's input. */
export function complexityDims(input: ManifestInput, model: string): ImageDims {
  const dims = imageDims(input.shape, input.layout);
  if (!dims) {
    throw new VaekitError(
      'invalid-argument',
      `'complexity' needs an image model (input layout hwc or chw); model '${model}' has input shape [${input.shape.join(', ')}] (layout ${input.layout})`,
    );
  }
  return dims;
}

/**
 * L(x) in bits for each of the n examples of `x` (the model's layout and value range): the
 * values are quantized to 8 bits over the manifest's range, filtered row by row as PNG does, and
 * deflated at level 9.
 *
 * @example
 * ```ts
 * const bits = complexityBits(x, n, vae.manifest.input); // Float64Array, one length per image
 * ```
 */
export function complexityBits(x: Float32Array, n: number, input: ManifestInput, model = 'the model'): Float64Array {
  const dims = complexityDims(input, model);
  const { height, width, channels } = dims;
  const size = height * width * channels;
  if (x.length !== n * size) {
    throw new VaekitError('shape-mismatch', `'x' must hold ${n} images of ${size} values; found ${x.length} values`);
  }
  const [lo, hi] = input.range;
  const scale = 255 / (hi - lo);
  const chw = input.layout === 'chw';
  const pixels = new Uint8Array(size);
  const bits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Quantized, channel-last: PNG stores a pixel's channels together.
    for (let y = 0; y < height; y++) {
      for (let xPos = 0; xPos < width; xPos++) {
        for (let ch = 0; ch < channels; ch++) {
          const from = chw ? ch * height * width + y * width + xPos : (y * width + xPos) * channels + ch;
          const v = Math.round((x[i * size + from]! - lo) * scale);
          pixels[(y * width + xPos) * channels + ch] = v < 0 ? 0 : v > 255 ? 255 : v;
        }
      }
    }
    bits[i] = 8 * deflateSync(pngFiltered(pixels, dims), { level: 9 }).length;
  }
  return bits;
}

/** The image's rows as PNG's filtered scanlines: one filter-type byte, then the filtered row. */
export function pngFiltered(pixels: Uint8Array, { height, width, channels }: ImageDims): Uint8Array {
  const stride = width * channels;
  const out = new Uint8Array(height * (stride + 1));
  const candidate = new Uint8Array(stride);
  const best = new Uint8Array(stride);
  const zero = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const row = pixels.subarray(y * stride, (y + 1) * stride);
    const up = y > 0 ? pixels.subarray((y - 1) * stride, y * stride) : zero;
    let bestType = 0;
    let bestCost = Infinity;
    for (let type = 0; type < 5; type++) {
      let cost = 0;
      for (let k = 0; k < stride; k++) {
        const a = k >= channels ? row[k - channels]! : 0;
        const b = up[k]!;
        const c = k >= channels ? up[k - channels]! : 0;
        const predicted = type === 0 ? 0 : type === 1 ? a : type === 2 ? b : type === 3 ? (a + b) >> 1 : paeth(a, b, c);
        const v = (row[k]! - predicted) & 0xff;
        candidate[k] = v;
        cost += v < 128 ? v : 256 - v;
      }
      if (cost < bestCost) {
        bestCost = cost;
        bestType = type;
        best.set(candidate);
      }
    }
    out[y * (stride + 1)] = bestType;
    out.set(best, y * (stride + 1) + 1);
  }
  return out;
}

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}
