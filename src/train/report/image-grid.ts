import { PNG } from 'pngjs';
import { VaekitError, describeValue } from '../../errors.js';
import { toHwc } from '../../vae/pixel-layout.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import { REPORT_FONT_FAMILY, escapeXml, findReportFont, renderSvg } from './font.js';

/** A grey level in [0,1] or an `[r, g, b]` colour with each part in [0,1]. */
export type GridColor = number | readonly [number, number, number];

/** How to lay out `count` images of `height`×`width`×`channels` in a grid. */
export interface ImageGridOptions {
  /** Number of images in the array. */
  count: number;
  /** Height of one image in pixels. */
  height: number;
  /** Width of one image in pixels. */
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: 1 | 3;
  /** How each image's values are ordered: `hwc` (default, H×W×C) or `chw` (C×H×W, a channel-first model's results). */
  layout?: 'hwc' | 'chw';
  /** Cells per row; default `ceil(sqrt(count))`. */
  columns?: number;
  /** Background pixels around and between cells (after scaling); default 2. */
  padding?: number;
  /** Integer nearest-neighbour upscale factor; default 2, so 28×28 digits show as 56×56. */
  scale?: number;
  /** Colour of the padding; default 0.5 (mid grey, visible next to both black and white images). */
  background?: GridColor;
  /** One caption per cell, drawn under it (needs the DejaVu Sans font, see `findReportFont`). */
  labels?: readonly string[];
  /** Font file for `labels` instead of the system's DejaVu Sans. */
  fontFile?: string;
}

/** Options of {@link encodeReconstructionGrid}: as for a grid, where a cell is one pair. */
export interface ReconstructionGridOptions extends ImageGridOptions {
  /** Background pixels between an original and its reconstruction; default 2. Pairs are `padding` apart, default 8. */
  separator?: number;
}

/** Height in pixels of the caption band under each cell when `labels` are given. */
export const LABEL_BAND = 18;
const LABEL_FONT_SIZE = 13;

/**
 * Encodes images as one PNG grid, each image upscaled by nearest neighbour.
 *
 * `images` holds `count` images of `height`×`width`×`channels` values, row-major (N×H×W×C, or
 * N×C×H×W with `layout: 'chw'`), each in [0,1]; values outside are clamped, NaN or ±Infinity throw
 * `non-finite` naming the index.
 *
 * @example
 * ```ts
 * const png = encodeImageGrid(samples, { count: 64, height: 28, width: 28, channels: 1, columns: 8 });
 * ```
 */
export function encodeImageGrid(images: Float32Array, options: ImageGridOptions): Uint8Array {
  return renderGrid([{ name: 'images', data: images }], options, 0);
}

/**
 * Encodes each original beside its reconstruction: a cell is the pair `original | reconstruction`
 * with a thin `separator` between them, and pairs are `padding` apart (default 8) so they read
 * as pairs. `count` is the number of pairs; `labels` caption pairs.
 *
 * @example
 * ```ts
 * const png = encodeReconstructionGrid(testDigits, decoded, { count: 16, height: 28, width: 28, channels: 1 });
 * ```
 */
export function encodeReconstructionGrid(
  originals: Float32Array,
  reconstructions: Float32Array,
  options: ReconstructionGridOptions,
): Uint8Array {
  const separator = options.separator ?? 2;
  checkInteger('separator', separator, 0);
  return renderGrid(
    [
      { name: 'originals', data: originals },
      { name: 'reconstructions', data: reconstructions },
    ],
    { ...options, padding: options.padding ?? 8 },
    separator,
  );
}

/**
 * {@link encodeImageGrid}, written to `path` atomically (readers never see half a file).
 *
 * @example
 * ```ts
 * await writeImageGrid('runs/mnist/samples-epoch-5.png', samples, { count: 64, height: 28, width: 28, channels: 1 });
 * ```
 */
export async function writeImageGrid(path: string, images: Float32Array, options: ImageGridOptions): Promise<void> {
  await writeFileAtomic(path, encodeImageGrid(images, options));
}

/**
 * {@link encodeReconstructionGrid}, written to `path` atomically.
 *
 * @example
 * ```ts
 * await writeReconstructionGrid('runs/mnist/reconstructions.png', x, xHat, { count: 16, height: 28, width: 28, channels: 1 });
 * ```
 */
export async function writeReconstructionGrid(
  path: string,
  originals: Float32Array,
  reconstructions: Float32Array,
  options: ReconstructionGridOptions,
): Promise<void> {
  await writeFileAtomic(path, encodeReconstructionGrid(originals, reconstructions, options));
}

interface Source {
  name: string;
  data: Float32Array;
}

/** Where cells go: `sourceCount` images side by side per cell, `separator` apart. */
function layout(options: ImageGridOptions, sourceCount: number, separator: number) {
  const { count, height, width, labels } = options;
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 2;
  const cols = Math.min(columns, count);
  const rows = Math.ceil(count / cols);
  const imageW = width * scale;
  const cellW = sourceCount * imageW + (sourceCount - 1) * separator;
  const cellH = height * scale + (labels === undefined ? 0 : LABEL_BAND);
  return { cols, imageW, cellW, cellH, width: cols * cellW + (cols + 1) * padding, height: rows * cellH + (rows + 1) * padding };
}

/** Pixel size of the PNG {@link encodeImageGrid} makes: callers can refuse a huge grid before computing it. */
export function imageGridSize(options: ImageGridOptions): { width: number; height: number } {
  const { width, height } = layout(options, 1, 0);
  return { width, height };
}

/** Pixel size of the PNG {@link encodeReconstructionGrid} makes. */
export function reconstructionGridSize(options: ReconstructionGridOptions): { width: number; height: number } {
  const { width, height } = layout({ ...options, padding: options.padding ?? 8 }, 2, options.separator ?? 2);
  return { width, height };
}

/** Draws `count` cells; cell i shows image i of every source side by side, `separator` apart. */
function renderGrid(sources: Source[], options: ImageGridOptions, separator: number): Uint8Array {
  const { count, height, width, channels, labels } = options;
  checkInteger('count', count, 1);
  checkInteger('height', height, 1);
  checkInteger('width', width, 1);
  if (channels !== 1 && channels !== 3) {
    throw new VaekitError('invalid-argument', `channels: expected 1 or 3, found ${describeValue(channels)}`);
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const padding = options.padding ?? 2;
  const scale = options.scale ?? 2;
  checkInteger('columns', columns, 1);
  checkInteger('padding', padding, 0);
  checkInteger('scale', scale, 1);
  const background = toRgb(options.background ?? 0.5);
  if (labels !== undefined && labels.length !== count) {
    throw new VaekitError('invalid-argument', `labels: expected ${count} labels (one per cell), found ${labels.length}`);
  }
  const imageSize = height * width * channels;
  const chw = options.layout === 'chw';
  if (options.layout !== undefined && options.layout !== 'hwc' && !chw) {
    throw new VaekitError('invalid-argument', `layout: expected "hwc" or "chw", found ${describeValue(options.layout)}`);
  }
  for (const { name, data } of sources) {
    if (!(data instanceof Float32Array)) {
      throw new VaekitError('invalid-argument', `${name}: expected a Float32Array, found ${describeValue(data)}`);
    }
    if (data.length !== count * imageSize) {
      throw new VaekitError(
        'invalid-argument',
        `${name}: expected ${count}×${height}×${width}×${channels} = ${count * imageSize} values, found ${data.length}`,
      );
    }
    const bad = data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      const image = Math.floor(bad / imageSize);
      const rest = bad % imageSize;
      const pixel = chw ? rest % (height * width) : Math.floor(rest / channels);
      const channel = chw ? Math.floor(rest / (height * width)) : rest % channels;
      throw new VaekitError(
        'non-finite',
        `${name}[${bad}] is ${data[bad]} (image ${image}, row ${Math.floor(pixel / width)}, column ${pixel % width}, channel ${channel}); expected values in [0,1]`,
      );
    }
  }

  const { cols, imageW, cellW, cellH, width: outW, height: outH } = layout(options, sources.length, separator);
  const imageH = height * scale;

  // Drawn channel-last: a chw source is transposed once (src/vae/pixel-layout.ts).
  const pixels = sources.map(({ data }) => toHwc(data, count, { height, width, channels }, chw ? 'chw' : 'hwc'));
  const png = new PNG({ width: outW, height: outH });
  const out = png.data;
  for (let i = 0; i < out.length; i += 4) {
    out[i] = background[0];
    out[i + 1] = background[1];
    out[i + 2] = background[2];
    out[i + 3] = 255;
  }

  for (let n = 0; n < count; n++) {
    const cellX = padding + (n % cols) * (cellW + padding);
    const cellY = padding + Math.floor(n / cols) * (cellH + padding);
    pixels.forEach((data, s) => {
      const left = cellX + s * (imageW + separator);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const at = n * imageSize + (y * width + x) * channels;
          const r = toByte(data[at]!);
          const g = channels === 3 ? toByte(data[at + 1]!) : r;
          const b = channels === 3 ? toByte(data[at + 2]!) : r;
          for (let dy = 0; dy < scale; dy++) {
            let o = ((cellY + y * scale + dy) * outW + left + x * scale) * 4;
            for (let dx = 0; dx < scale; dx++, o += 4) {
              out[o] = r;
              out[o + 1] = g;
              out[o + 2] = b;
            }
          }
        }
      }
    });
  }

  if (labels !== undefined) {
    const luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2];
    const ink = luminance > 100 ? '#000000' : '#ffffff';
    // Each caption sits in its own nested <svg>, which clips a long caption to its cell.
    const texts = labels.map((label, n) => {
      const x = padding + (n % cols) * (cellW + padding);
      const y = padding + Math.floor(n / cols) * (cellH + padding) + imageH;
      return (
        `<svg x="${x}" y="${y}" width="${cellW}" height="${LABEL_BAND}">` +
        `<text x="${cellW / 2}" y="${LABEL_BAND - 5}" text-anchor="middle">${escapeXml(label)}</text></svg>`
      );
    });
    const svg =
      `<svg xmlns="http://www.w3.org/2000/svg" width="${outW}" height="${outH}">` +
      `<g font-family="${REPORT_FONT_FAMILY}" font-size="${LABEL_FONT_SIZE}" fill="${ink}">${texts.join('')}</g></svg>`;
    // resvg's pixels are premultiplied RGBA: composite them over the grid.
    const overlay = renderSvg(svg, findReportFont(options.fontFile)).pixels;
    for (let i = 0; i < out.length; i += 4) {
      const keep = 255 - overlay[i + 3]!;
      if (keep === 255) continue;
      out[i] = overlay[i]! + Math.round((out[i]! * keep) / 255);
      out[i + 1] = overlay[i + 1]! + Math.round((out[i + 1]! * keep) / 255);
      out[i + 2] = overlay[i + 2]! + Math.round((out[i + 2]! * keep) / 255);
    }
  }

  const grey = channels === 1 && background[0] === background[1] && background[1] === background[2];
  return PNG.sync.write(png, { colorType: grey ? 0 : 2 });
}

function toByte(v: number): number {
  return Math.round(Math.min(1, Math.max(0, v)) * 255);
}

function toRgb(color: GridColor): [number, number, number] {
  const parts = typeof color === 'number' ? [color, color, color] : color;
  if (!Array.isArray(parts) || parts.length !== 3 || !parts.every((v) => typeof v === 'number' && v >= 0 && v <= 1)) {
    throw new VaekitError(
      'invalid-argument',
      `background: expected a grey level in [0,1] or [r, g, b] in [0,1], found ${typeof color === 'number' ? color : JSON.stringify(color)}`,
    );
  }
  return [toByte(parts[0]!), toByte(parts[1]!), toByte(parts[2]!)];
}

function checkInteger(name: string, value: unknown, min: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new VaekitError('invalid-argument', `${name}: expected an integer ≥ ${min}, found ${describeValue(value)}`);
  }
}
