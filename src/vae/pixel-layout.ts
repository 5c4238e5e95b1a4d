/**
 * Channel-last (HWC) ↔ channel-first (CHW) images, the one place that knows both orders: the SDK
 * converts ImageData to a model's layout, the CLI's PNG grids and the demo draw channel-last.
 */
import type { InputLayout } from '../manifest/schema.js';

/** An image model's picture size, whatever order its input holds the values in. */
export interface ImageDims {
  height: number;
  width: number;
  channels: number;
}

/** Height, width and channels of an image input shape (`hwc` [H, W, C] or `chw` [C, H, W]); null for `features` or another rank. */
export function imageDims(shape: readonly number[], layout: InputLayout): ImageDims | null {
  if (shape.length !== 3 || layout === 'features') return null;
  const [a, b, c] = shape as [number, number, number];
  return layout === 'hwc' ? { height: a, width: b, channels: c } : { height: b, width: c, channels: a };
}

/** n images [N, H, W, C] → [N, C, H, W] (a new array). */
export function hwcToChw(data: Float32Array, n: number, dims: ImageDims): Float32Array {
  return permute(data, n, dims, true);
}

/** n images [N, C, H, W] → [N, H, W, C] (a new array). */
export function chwToHwc(data: Float32Array, n: number, dims: ImageDims): Float32Array {
  return permute(data, n, dims, false);
}

/** `data` in HWC order for drawing: as is for `hwc` (no copy), transposed for `chw`. */
export function toHwc(data: Float32Array, n: number, dims: ImageDims, layout: InputLayout): Float32Array {
  return layout === 'chw' && dims.channels > 1 ? chwToHwc(data, n, dims) : data;
}

function permute(data: Float32Array, n: number, { height, width, channels }: ImageDims, toChw: boolean): Float32Array {
  const out = new Float32Array(data.length);
  const plane = height * width;
  const image = plane * channels;
  for (let i = 0; i < n; i++) {
    const base = i * image;
    for (let p = 0; p < plane; p++) {
      for (let k = 0; k < channels; k++) {
        const hwc = base + p * channels + k;
        const chw = base + k * plane + p;
        if (toChw) out[chw] = data[hwc]!;
        else out[hwc] = data[chw]!;
      }
    }
  }
  return out;
}
