import { DEFAULT_SEED } from '../../sampler/index.js';
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { PNG } from 'pngjs';
import { VaekitError } from '../../errors.js';
import type { Dataset } from './dataset.js';
import { DATASET_LIMIT_HINT, MAX_DATASET_VALUES, describeValues } from './limits.js';
import { type PngHeader, checkInterlacedData, readPngHeader } from './png-header.js';
import { DATA_SPLIT_STREAM, checkTestFraction, seededTestMask, splitRows } from './scaling.js';

export interface PngFolderOptions {
  /** Fraction of the images (per class when labelled) held out as the test split; default 0.1. */
  testFraction?: number;
  /** Seed of the train/test split (sampler stream STREAMS.dataSplit); default DEFAULT_SEED (0). */
  splitSeed?: number;
  /**
   * `auto` (default): when `dir` has sub-folders, each first-level sub-folder is a class (sorted
   * by name) and every PNG below it is labelled with it; `none`: unlabelled.
   */
  labels?: 'auto' | 'none';
}

/** How many offending files an error message lists before "… and N more". */
const LIST_LIMIT = 20;

interface Image {
  /** Path relative to the folder, with `/` separators. */
  file: string;
  width: number;
  height: number;
  /** RGBA, 8 bits per sample (pngjs rescales 16-bit PNGs). */
  rgba: Buffer;
}

/** Every `.png` below `dir` (recursively), as paths relative to `dir`, in code-point order. */
export async function findPngs(dir: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(folder: string): Promise<void> {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.name.toLowerCase().endsWith('.png') && (entry.isFile() || (entry.isSymbolicLink() && (await stat(path)).isFile()))) {
        found.push(relative(dir, path).split(sep).join('/'));
      }
    }
  }
  await walk(dir);
  return found.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function listFiles(items: string[]): string {
  const shown = items.slice(0, LIST_LIMIT).join(', ');
  return items.length > LIST_LIMIT ? `${shown} … and ${items.length - LIST_LIMIT} more` : shown;
}

/** One size for all: the most common one (first seen on a tie); lists every file that differs. */
function checkOneSize(root: string, headers: { file: string; header: PngHeader }[]): void {
  const sizeOf = ({ header }: { header: PngHeader }): string => `${header.width}×${header.height}`;
  const sizeCounts = new Map<string, number>();
  for (const h of headers) sizeCounts.set(sizeOf(h), (sizeCounts.get(sizeOf(h)) ?? 0) + 1);
  if (sizeCounts.size === 1) return;
  let majority = '';
  let best = 0;
  for (const [size, count] of sizeCounts) {
    if (count > best) {
      majority = size;
      best = count;
    }
  }
  const odd = headers.filter((h) => sizeOf(h) !== majority).map((h) => `${h.file} (${sizeOf(h)})`);
  throw new VaekitError(
    'invalid-data',
    `PNG folder ${root}: every image must have the same size; ${best} of ${headers.length} are ${majority} (width×height) ` +
      `but ${odd.length} differ: ${listFiles(odd)}`,
  );
}

/**
 * Refuses a folder whose images would exceed MAX_DATASET_VALUES once loaded. Channels are known
 * only after decoding (an RGB PNG may be gray), so any colour type but gray counts 3.
 */
function checkDatasetSize(root: string, headers: { header: PngHeader }[]): void {
  const { width, height } = headers[0]!.header;
  const gray = headers.every(({ header }) => header.colorType === 0 || header.colorType === 4);
  const values = headers.length * width * height * (gray ? 1 : 3);
  if (values > MAX_DATASET_VALUES) {
    throw new VaekitError(
      'invalid-data',
      `PNG folder ${root}: ${headers.length} images of ${width}×${height}${gray ? ' gray' : ' (counted as RGB)'} would take ` +
        `${describeValues(values)}; ${DATASET_LIMIT_HINT}`,
    );
  }
}

/**
 * Labels of a folder's PNGs (`files` relative to `root`, as findPngs lists them): with `auto`,
 * first-level sub-folders are the classes (sorted by name) when there are any, and PNGs directly
 * in `root` are then refused; otherwise unlabelled.
 */
export function folderLabels(root: string, files: readonly string[], labelMode: 'auto' | 'none'): { classes: string[] | null; labels: Int32Array | null } {
  let classes: string[] | null = null;
  let labels: Int32Array | null = null;
  if (labelMode === 'auto') {
    const nested = files.filter((f) => f.includes('/'));
    if (nested.length > 0) {
      const top = files.filter((f) => !f.includes('/'));
      if (top.length > 0) {
        throw new VaekitError(
          'invalid-data',
          `PNG folder ${root} has class sub-folders but also ${top.length} PNG(s) directly in it (${listFiles(top)}); ` +
            `move them into a class folder or load with labels: 'none'`,
        );
      }
      classes = [...new Set(files.map((f) => f.slice(0, f.indexOf('/'))))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const index = new Map(classes.map((c, i) => [c, i]));
      labels = Int32Array.from(files, (f) => index.get(f.slice(0, f.indexOf('/')))!);
    }
  }
  return { classes, labels };
}

/** Decodes the PNG at `path` (whose checked IHDR is `header`) to RGBA, 8 bits per sample. */
export async function decodePng(path: string, header: PngHeader): Promise<Buffer> {
  let png: PNG;
  try {
    const bytes = await readFile(path);
    checkInterlacedData(path, bytes, header);
    png = PNG.sync.read(bytes);
  } catch (cause) {
    if (cause instanceof VaekitError) throw cause;
    throw new VaekitError('invalid-data', `${path}: not a readable PNG (${(cause as Error).message})`, { cause });
  }
  if (png.width !== header.width || png.height !== header.height) {
    throw new VaekitError('invalid-data', `${path}: changed while it was being read`);
  }
  return png.data;
}

/** Whether every pixel of an RGBA image has R = G = B. */
export function isGray(rgba: Uint8Array): boolean {
  for (let p = 0; p < rgba.length; p += 4) if (rgba[p] !== rgba[p + 1] || rgba[p] !== rgba[p + 2]) return false;
  return true;
}

/** RGBA bytes → `channels` (1: the gray value, 3: RGB) values in [0, 1] per pixel, channel-last, into `out` at `offset`. */
export function rgbaToValues(rgba: Uint8Array, channels: 1 | 3, out: Float32Array, offset: number): void {
  const pixels = rgba.length / 4;
  for (let p = 0, q = 0; p < pixels; p++, q += 4) {
    if (channels === 1) out[offset + p] = rgba[q]! / 255;
    else {
      out[offset + 3 * p] = rgba[q]! / 255;
      out[offset + 3 * p + 1] = rgba[q + 1]! / 255;
      out[offset + 3 * p + 2] = rgba[q + 2]! / 255;
    }
  }
}

/**
 * Every PNG below `dir` (recursively) as one image data set: pixels in [0, 1], shape [H, W, C],
 * layout `hwc`. C is 1 when every image is gray (R = G = B in every pixel, whatever the PNG's
 * colour type) and 3 otherwise; alpha is dropped. All images must share one size.
 *
 * Limits (checked from each file's IHDR before anything is decoded): at most MAX_IMAGE_SIDE = 4096
 * pixels on a side, a file at most 16 MiB larger than its uncompressed pixels, and at most
 * MAX_DATASET_VALUES = 2^30 values in all (counting 3 channels unless every PNG is gray).
 *
 * Labels (`labels: 'auto'`): when `dir` has sub-folders holding PNGs, the first-level sub-folder
 * names are the classes (sorted by name) and PNGs directly in `dir` are refused; without
 * sub-folders the data is unlabelled.
 *
 * Split: per class, round(count · testFraction) images go to the test split, chosen by the
 * uniforms of the shared sampler at (seed, stream DATA_SPLIT_STREAM = 6, offset = index of the
 * image in code-point order of its relative path) — the same split every run for the same files.
 *
 * @example
 * ```ts
 * const data = await loadPngFolder('faces/', { testFraction: 0.2, splitSeed: 7 });
 * console.log(data.shape, data.classes, data.train.count, data.test.count);
 * ```
 */
export async function loadPngFolder(dir: string, options: PngFolderOptions = {}): Promise<Dataset> {
  const testFraction = checkTestFraction(options.testFraction ?? 0.1);
  const seed = options.splitSeed ?? DEFAULT_SEED;
  const labelMode = options.labels ?? 'auto';
  if (labelMode !== 'auto' && labelMode !== 'none') {
    throw new VaekitError('invalid-argument', `'labels' must be 'auto' or 'none'; found ${JSON.stringify(labelMode)}`);
  }
  const root = resolve(dir);
  let info;
  try {
    info = await stat(root);
  } catch (cause) {
    throw new VaekitError('io-error', `PNG folder ${root} cannot be read: ${(cause as Error).message}`, { cause });
  }
  if (!info.isDirectory()) throw new VaekitError('invalid-argument', `PNG folder ${root} is not a directory`);

  const files = await findPngs(root);
  if (files.length === 0) throw new VaekitError('invalid-data', `PNG folder ${root} holds no .png file (searched recursively)`);

  const { classes, labels } = folderLabels(root, files, labelMode);

  // Headers first: sizes and the memory they need are checked before any image is decoded.
  const headers = files.map((file) => ({ file, header: readPngHeader(join(root, file)) }));
  checkOneSize(root, headers);
  checkDatasetSize(root, headers);

  const images: Image[] = [];
  for (const { file, header } of headers) images.push({ file, width: header.width, height: header.height, rgba: await decodePng(join(root, file), header) });
  const { width, height } = images[0]!;

  const gray = images.every((im) => isGray(im.rgba));
  const channels = gray ? 1 : 3;
  const features = height * width * channels;
  const x = new Float32Array(images.length * features);
  images.forEach((im, i) => rgbaToValues(im.rgba, channels, x, i * features));

  const { train, test } = splitRows(x, labels, features, seededTestMask(images.length, labels, testFraction, seed));
  return {
    name: basename(root),
    shape: [height, width, channels],
    layout: 'hwc',
    valueRange: [0, 1],
    classes,
    train,
    test,
    source:
      `PNG folder ${root} (${images.length} images${classes ? `, ${classes.length} classes` : ''}; ` +
      `test = seeded ${testFraction} per class, seed ${seed}, stream ${DATA_SPLIT_STREAM})`,
  };
}
