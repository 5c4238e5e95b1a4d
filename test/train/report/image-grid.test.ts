import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.js';
import {
  LABEL_BAND,
  encodeImageGrid,
  encodeReconstructionGrid,
  writeImageGrid,
  writeReconstructionGrid,
} from '../../../src/train/report/image-grid.js';

function decode(bytes: Uint8Array) {
  return PNG.sync.read(Buffer.from(bytes));
}

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

/** `count` grey images of h×w, all 0 except a single 1 at (py, px) in image `k` + its index. */
function onePixelImages(count: number, h: number, w: number, py: number, px: number): Float32Array {
  const data = new Float32Array(count * h * w);
  for (let k = 0; k < count; k++) data[k * h * w + ((py + k) % h) * w + px] = 1;
  return data;
}

describe('encodeImageGrid', () => {
  it('lays out cells with padding, columns and scale', () => {
    const png = decode(
      encodeImageGrid(new Float32Array(5 * 3 * 4), { count: 5, height: 3, width: 4, channels: 1, columns: 2, padding: 1, scale: 3 }),
    );
    // 2 columns × 3 rows of 12×9 cells, 1 px of padding around and between.
    expect(png.width).toBe(2 * 12 + 3);
    expect(png.height).toBe(3 * 9 + 4);
  });

  it('defaults to scale 2, padding 2 and ceil(sqrt(count)) columns', () => {
    const png = decode(encodeImageGrid(new Float32Array(10 * 28 * 28), { count: 10, height: 28, width: 28, channels: 1 }));
    expect(png.width).toBe(4 * 56 + 5 * 2);
    expect(png.height).toBe(3 * 56 + 4 * 2);
  });

  it('puts the white pixel of image k, upscaled, in grid cell k', () => {
    const [count, h, w, scale, padding, columns] = [7, 5, 6, 3, 2, 3];
    const png = decode(
      encodeImageGrid(onePixelImages(count, h, w, 1, 4), { count, height: h, width: w, channels: 1, columns, padding, scale, background: 0.5 }),
    );
    for (let k = 0; k < count; k++) {
      const cellX = padding + (k % columns) * (w * scale + padding);
      const cellY = padding + Math.floor(k / columns) * (h * scale + padding);
      const py = (1 + k) % h;
      for (let y = 0; y < h * scale; y++) {
        for (let x = 0; x < w * scale; x++) {
          const white = Math.floor(y / scale) === py && Math.floor(x / scale) === 4;
          expect(pixel(png, cellX + x, cellY + y)).toEqual(white ? [255, 255, 255] : [0, 0, 0]);
        }
      }
      // The padding just left of and above the cell is background.
      expect(pixel(png, cellX - 1, cellY)).toEqual([128, 128, 128]);
      expect(pixel(png, cellX, cellY - 1)).toEqual([128, 128, 128]);
    }
    // Cells past the last image stay background.
    expect(pixel(png, png.width - padding - 1, png.height - padding - 1)).toEqual([128, 128, 128]);
  });

  it('clamps values outside [0,1] and rounds to bytes', () => {
    const png = decode(
      encodeImageGrid(new Float32Array([-0.5, 0, 0.5, 1, 1.7, 0.2]), { count: 1, height: 1, width: 6, channels: 1, scale: 1, padding: 0 }),
    );
    expect([0, 1, 2, 3, 4, 5].map((x) => pixel(png, x, 0)[0])).toEqual([0, 0, 128, 255, 255, 51]);
  });

  it('keeps RGB channels and an RGB background', () => {
    const png = decode(
      encodeImageGrid(new Float32Array([1, 0, 0, 0, 0, 1]), { count: 2, height: 1, width: 1, channels: 3, scale: 2, padding: 1, background: [0, 1, 0] }),
    );
    expect([png.width, png.height]).toEqual([2 * 2 + 3, 2 + 2]);
    expect(pixel(png, 0, 0)).toEqual([0, 255, 0]);
    expect(pixel(png, 1, 1)).toEqual([255, 0, 0]);
    expect(pixel(png, 2, 2)).toEqual([255, 0, 0]);
    expect(pixel(png, 3, 1)).toEqual([0, 255, 0]);
    expect(pixel(png, 4, 1)).toEqual([0, 0, 255]);
  });

  it('throws non-finite naming the index of a NaN', () => {
    const images = new Float32Array(2 * 3 * 3);
    images[9 + 5] = NaN; // image 1, row 1, column 2
    const e = thrown(() => encodeImageGrid(images, { count: 2, height: 3, width: 3, channels: 1 }));
    expect(e.code).toBe('non-finite');
    expect(e.message).toContain('images[14]');
    expect(e.message).toContain('image 1, row 1, column 2');
  });

  it('rejects Infinity too (it would hide a broken decoder as white)', () => {
    const images = new Float32Array(4);
    images[3] = Infinity;
    expect(thrown(() => encodeImageGrid(images, { count: 1, height: 2, width: 2, channels: 1 })).message).toContain('images[3] is Infinity');
  });

  it('rejects bad arguments with the expected and found values', () => {
    const base = { count: 2, height: 2, width: 2, channels: 1 as const };
    const wrongLength = thrown(() => encodeImageGrid(new Float32Array(7), base));
    expect(wrongLength.code).toBe('invalid-argument');
    expect(wrongLength.message).toContain('images: expected 2×2×2×1 = 8 values, found 7');
    expect(thrown(() => encodeImageGrid(new Float32Array(8), { ...base, scale: 1.5 })).message).toContain('scale: expected an integer ≥ 1, found 1.5');
    expect(thrown(() => encodeImageGrid(new Float32Array(8), { ...base, count: 0 })).message).toContain('count');
    expect(thrown(() => encodeImageGrid(new Float32Array(8), { ...base, channels: 2 as 1 })).message).toContain('channels: expected 1 or 3, found 2');
    expect(thrown(() => encodeImageGrid(new Float32Array(8), { ...base, background: 2 })).message).toContain('background');
    expect(thrown(() => encodeImageGrid(new Float32Array(8), { ...base, labels: ['a'] })).message).toContain('labels: expected 2 labels');
    expect(thrown(() => encodeImageGrid([0, 0] as unknown as Float32Array, base)).message).toContain('images: expected a Float32Array');
  });

  it('draws labels in a band under each cell', () => {
    const options = { count: 2, height: 28, width: 28, channels: 1 as const, padding: 2, background: 1 };
    const plain = decode(encodeImageGrid(new Float32Array(2 * 28 * 28), options));
    const labelled = decode(encodeImageGrid(new Float32Array(2 * 28 * 28), { ...options, labels: ['7', '3'] }));
    expect(labelled.width).toBe(plain.width);
    expect(labelled.height).toBe(plain.height + LABEL_BAND);
    // Dark text pixels in each label band (background is white), centred under each cell.
    for (const cell of [0, 1]) {
      const left = 2 + cell * (56 + 2);
      let dark = 0;
      for (let y = 2 + 56; y < 2 + 56 + LABEL_BAND; y++) {
        for (let x = left; x < left + 56; x++) if (pixel(labelled, x, y)[0] < 100) dark++;
      }
      expect(dark).toBeGreaterThan(10);
    }
  });
});

describe('encodeReconstructionGrid', () => {
  it('puts each original beside its reconstruction, pairs padding apart', () => {
    const [count, h, w] = [3, 2, 2];
    const originals = new Float32Array(count * h * w).fill(0.2);
    const reconstructions = new Float32Array(count * h * w).fill(0.8);
    for (let k = 0; k < count; k++) {
      originals[k * h * w] = 1; // top-left pixel of original k
      reconstructions[k * h * w + 3] = 0; // bottom-right pixel of reconstruction k
    }
    const png = decode(
      encodeReconstructionGrid(originals, reconstructions, { count, height: h, width: w, channels: 1, columns: 2, scale: 2, padding: 4, separator: 1, background: 0.5 }),
    );
    const pairW = 2 * 4 + 1;
    expect(png.width).toBe(2 * pairW + 3 * 4);
    expect(png.height).toBe(2 * 4 + 3 * 4);
    const value = (x: number, y: number) => pixel(png, x, y)[0];
    for (let k = 0; k < count; k++) {
      const x0 = 4 + (k % 2) * (pairW + 4);
      const y0 = 4 + Math.floor(k / 2) * (4 + 4);
      expect(value(x0, y0)).toBe(255); // original's marked pixel
      expect(value(x0 + 2, y0)).toBe(51); // rest of the original
      expect(value(x0 + 4, y0)).toBe(128); // separator
      expect(value(x0 + 5, y0)).toBe(204); // reconstruction
      expect(value(x0 + 5 + 3, y0 + 3)).toBe(0); // reconstruction's marked pixel, scaled
      expect(value(x0 + pairW, y0)).toBe(128); // gap to the next pair
    }
  });

  it('defaults to a 2 px separator and 8 px between pairs', () => {
    const data = new Float32Array(4 * 28 * 28);
    const png = decode(encodeReconstructionGrid(data, data, { count: 4, height: 28, width: 28, channels: 1 }));
    expect(png.width).toBe(2 * (56 + 2 + 56) + 3 * 8);
    expect(png.height).toBe(2 * 56 + 3 * 8);
  });

  it('names which array holds a NaN or has the wrong length', () => {
    const good = new Float32Array(4);
    const bad = new Float32Array(4);
    bad[2] = NaN;
    const options = { count: 1, height: 2, width: 2, channels: 1 as const };
    expect(thrown(() => encodeReconstructionGrid(good, bad, options)).message).toContain('reconstructions[2] is NaN');
    expect(thrown(() => encodeReconstructionGrid(new Float32Array(3), good, options)).message).toContain('originals: expected');
  });
});

describe('writeImageGrid / writeReconstructionGrid', () => {
  it('write PNG files that decode to the encoded picture', async () => {
    const dir = join(tmpdir(), 'vaekit-report-preview');
    const [n, h, w] = [16, 28, 28];
    const digits = new Float32Array(n * h * w);
    for (let k = 0; k < n; k++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const ring = Math.abs(Math.hypot(y - 13.5, x - 13.5) - (4 + (k % 8))) < 1.6;
          digits[(k * h + y) * w + x] = ring ? 1 : 0;
        }
      }
    }
    const blurred = digits.map((v, i) => 0.15 + 0.7 * v + 0.1 * Math.sin(i / 3));
    const options = { count: n, height: h, width: w, channels: 1 as const, labels: Array.from({ length: n }, (_, k) => String(k % 10)) };
    await writeImageGrid(join(dir, 'image-grid.png'), digits, options);
    await writeReconstructionGrid(join(dir, 'reconstruction-grid.png'), digits, blurred, { ...options, labels: undefined });
    const grid = decode(await readFile(join(dir, 'image-grid.png')));
    expect([grid.width, grid.height]).toEqual([4 * 56 + 5 * 2, 4 * (56 + LABEL_BAND) + 5 * 2]);
    const recon = decode(await readFile(join(dir, 'reconstruction-grid.png')));
    expect([recon.width, recon.height]).toEqual([4 * 114 + 5 * 8, 4 * 56 + 5 * 8]);
  });
});
