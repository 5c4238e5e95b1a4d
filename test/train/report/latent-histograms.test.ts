import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.js';
import { fillStandardNormal } from '../../../src/sampler/index.js';
import { latentMatch, type LatentMatch } from '../../../src/train/objective/latent-match.js';
import {
  LATENT_HISTOGRAM_COLORS,
  LATENT_HISTOGRAM_MAX_PANELS,
  encodeLatentHistograms,
  renderLatentHistogramsSvg,
  writeLatentHistograms,
} from '../../../src/train/report/latent-histograms.js';

/** n × J latents: z_ij = shift[j] + scale[j]·ε_ij with ε from the seeded sampler (seed 5, stream 0). */
function latents(n: number, J: number, shift: (j: number) => number = () => 0, scale: (j: number) => number = () => 1): Float32Array {
  const z = fillStandardNormal(new Float32Array(n * J), { seed: 5, stream: 0, offset: 0 });
  for (let i = 0; i < n; i++) for (let j = 0; j < J; j++) z[i * J + j] = shift(j) + scale(j) * z[i * J + j]!;
  return z;
}

function match(z: Float32Array, n: number, J: number): LatentMatch {
  return latentMatch(z, n, J, { seed: 1, stream: 7 });
}

function decode(bytes: Uint8Array) {
  return PNG.sync.read(Buffer.from(bytes));
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Each panel's plot area, in panel order, read from the SVG the PNG is rendered from. */
function plotAreas(svg: string): Box[] {
  return [...svg.matchAll(/<rect class="plot-area" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => ({
    x: Number(m[1]),
    y: Number(m[2]),
    width: Number(m[3]),
    height: Number(m[4]),
  }));
}

/** Whether pixel (x, y) is within a small distance of `hex`. */
function isColor(png: PNG, x: number, y: number, hex: string): boolean {
  const [r, g, b] = [1, 3, 5].map((k) => parseInt(hex.slice(k, k + 2), 16)) as [number, number, number];
  const i = (y * png.width + x) * 4;
  return Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) <= 12;
}

/** Pixels within a small distance of `hex` in columns [x0, x1) and rows [y0, y1). */
function countColor(png: PNG, hex: string, x0 = 0, x1 = png.width, y0 = 0, y1 = png.height): number {
  let n = 0;
  for (let y = Math.max(0, Math.floor(y0)); y < Math.min(png.height, Math.ceil(y1)); y++) {
    for (let x = Math.max(0, Math.floor(x0)); x < Math.min(png.width, Math.ceil(x1)); x++) {
      if (isColor(png, x, y, hex)) n++;
    }
  }
  return n;
}

/** Bar pixels left and right of the plot area's centre (x = 0). */
function barsLeftRight(png: PNG, box: Box): [number, number] {
  const mid = box.x + box.width / 2;
  const bars = LATENT_HISTOGRAM_COLORS.bars;
  return [countColor(png, bars, box.x, mid, box.y, box.y + box.height), countColor(png, bars, mid, box.x + box.width, box.y, box.y + box.height)];
}

describe('renderLatentHistogramsSvg', () => {
  it('has a title with the MMD², the subtitle, a legend and one panel per dimension with μ and σ', () => {
    const z = latents(500, 6, (j) => (j === 2 ? 2 : 0), (j) => (j === 4 ? 0.5 : 1));
    const m: LatentMatch = { ...match(z, 500, 6), mmd: 0.0063, mmdSamples: 997 };
    const svg = renderLatentHistogramsSvg(z, 500, 6, m, { subtitle: 'mnist <mlp> & co' });
    expect(svg).toContain('Encoded test latents vs N(0, I) · MMD² 0.0063 (997 draws)');
    expect(svg).toContain('mnist &#60;mlp&#62; &#38; co');
    expect(svg).toContain('prior density N(0, 1)');
    expect(plotAreas(svg)).toHaveLength(6);
    for (let j = 0; j < 6; j++) expect(svg).toContain(`<g id="z${j}">`);
    expect(svg).toContain(`μ ${m.mean[2]!.toFixed(2)}`);
    expect(m.mean[2]).toBeGreaterThan(1.8);
    expect(svg).toContain(`σ ${m.std[4]!.toFixed(2)}`);
    for (const tick of ['>−4<', '>−2<', '>0<', '>2<', '>4<']) expect(svg).toContain(tick);
    expect(svg).not.toContain('showing the');
  });

  it('writes a negative MMD² with a minus sign and a missing one as n/a', () => {
    const z = latents(50, 2);
    expect(renderLatentHistogramsSvg(z, 50, 2, { ...match(z, 50, 2), mmd: -0.00042 })).toContain('MMD² −0.0004 (50 draws)');
    expect(renderLatentHistogramsSvg(z.subarray(0, 2), 1, 2, match(z.subarray(0, 2), 1, 2))).toContain('MMD² n/a (1 draw)');
  });

  it(`shows the ${LATENT_HISTOGRAM_MAX_PANELS} dimensions whose σ strays furthest from 1 when there are more, and says so`, () => {
    // Odd dimensions have σ 1.6 or 0.4 (furthest from 1); even ones σ ≈ 1.
    const J = 64;
    const z = latents(400, J, () => 0, (j) => (j % 2 === 1 ? (j % 4 === 1 ? 1.6 : 0.4) : 1));
    const svg = renderLatentHistogramsSvg(z, 400, J, match(z, 400, J));
    expect(svg).toContain(`showing the ${LATENT_HISTOGRAM_MAX_PANELS} of 64 dimensions whose σ strays furthest from 1`);
    expect(plotAreas(svg)).toHaveLength(LATENT_HISTOGRAM_MAX_PANELS);
    const ids = [...svg.matchAll(/<g id="z(\d+)">/g)].map((m) => Number(m[1]));
    expect(ids).toEqual(Array.from({ length: 32 }, (_, k) => 2 * k + 1));
  });

  it('prints the share of z beyond ±4 at the edge it leaves by', () => {
    const z = latents(1000, 2, (j) => (j === 1 ? 3.5 : 0));
    const svg = renderLatentHistogramsSvg(z, 1000, 2, match(z, 1000, 2));
    const beyond = [...z.filter((_, k) => k % 2 === 1)].filter((v) => v > 4).length;
    expect(beyond).toBeGreaterThan(200);
    const [panel0, panel1] = [0, 1].map((j) => svg.slice(svg.indexOf(`<g id="z${j}">`)).split('</g>')[0]!);
    expect(panel1).toContain(`${((beyond / 1000) * 100).toFixed(1)} % →`);
    expect(panel1).not.toContain('←');
    expect(panel0).not.toMatch(/[←→]/);
  });

  it('rejects bad input naming the argument, the expectation and what it found', () => {
    const z = latents(3, 2);
    const m = match(z, 3, 2);
    let e = thrown(() => renderLatentHistogramsSvg(z.subarray(0, 5), 3, 2, m));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toContain('z: expected n·J = 3·2 = 6 values');
    expect(e.message).toContain('found Float32Array(5)');
    expect(thrown(() => renderLatentHistogramsSvg(new Float32Array(0), 3, 0, m)).message).toContain('J: expected an integer ≥ 1 (the latent dimensions), found 0');
    expect(thrown(() => renderLatentHistogramsSvg(z, 0, 2, m)).message).toContain('n: expected an integer ≥ 1');
    expect(thrown(() => renderLatentHistogramsSvg([0, 1] as unknown as Float32Array, 1, 2, m)).message).toContain(
      'z: expected a Float32Array of n × J latents, found array(2)',
    );
    const bad = z.slice();
    bad[5] = Number.NaN;
    e = thrown(() => renderLatentHistogramsSvg(bad, 3, 2, m));
    expect(e.code).toBe('non-finite');
    expect(e.message).toContain('z: expected finite values, found NaN at index 5 (example 2, dimension 1)');
    bad[5] = Number.POSITIVE_INFINITY;
    expect(thrown(() => renderLatentHistogramsSvg(bad, 3, 2, m)).message).toContain('found Infinity at index 5');
    expect(thrown(() => renderLatentHistogramsSvg(z, 3, 2, { ...m, mean: [0] })).message).toContain(
      'match.mean: expected an array of J = 2 numbers, found array(1)',
    );
    e = thrown(() => renderLatentHistogramsSvg(z, 3, 2, { ...m, std: [1, Number.NaN] }));
    expect(e.code).toBe('non-finite');
    expect(e.message).toContain('match.std[1]: expected a finite number, found NaN');
    expect(thrown(() => renderLatentHistogramsSvg(z, 3, 2, { ...m, mmd: Number.POSITIVE_INFINITY })).message).toContain('match.mmd');
    expect(thrown(() => renderLatentHistogramsSvg(z, 3, 2, m, { columns: 0 })).message).toContain('columns: expected an integer ≥ 1, found 0');
  });
});

describe('encodeLatentHistograms', () => {
  const n = 2000;
  const J = 7;
  // Dimension 3 is shifted to mean +2; dimension 5 is narrow (σ 0.2); the rest follow N(0, 1).
  const z = latents(n, J, (j) => (j === 3 ? 2 : 0), (j) => (j === 5 ? 0.2 : 1));
  const m = match(z, n, J);
  const svg = renderLatentHistogramsSvg(z, n, J, m);
  const png = decode(encodeLatentHistograms(z, n, J, m));
  const boxes = plotAreas(svg);

  it('renders 5 panels per row, each with the N(0, 1) curve over the bars', () => {
    expect(png.width).toBe(1040);
    expect(boxes).toHaveLength(J);
    expect(new Set(boxes.map((b) => b.y)).size).toBe(2);
    // No other red is drawn: the curve's pixels (fewer where a narrow panel's scale flattens it).
    for (const box of boxes) {
      expect(countColor(png, LATENT_HISTOGRAM_COLORS.prior, box.x, box.x + box.width, box.y, box.y + box.height)).toBeGreaterThan(80);
      expect(countColor(png, LATENT_HISTOGRAM_COLORS.bars, box.x, box.x + box.width, box.y, box.y + box.height)).toBeGreaterThan(300);
    }
    // Dark text (title, ticks, μ and σ) is there too.
    expect(countColor(png, '#222222')).toBeGreaterThan(500);
  });

  it('puts the mass of a dimension shifted to +2 right of centre, and a centred one on both sides', () => {
    const [left, right] = barsLeftRight(png, boxes[3]!);
    expect(right).toBeGreaterThan(20 * Math.max(1, left));
    const [left0, right0] = barsLeftRight(png, boxes[0]!);
    expect(Math.min(left0, right0) / Math.max(left0, right0)).toBeGreaterThan(0.7);
  });

  it('draws a narrow dimension as a spike at 0 scaled to its own panel, above the flattened prior curve', () => {
    // σ 0.2: the bars sit within |z| < 1 and peak at about five times the prior's density.
    const box = boxes[5]!;
    const bars = LATENT_HISTOGRAM_COLORS.bars;
    const inner = [box.x + (3 / 8) * box.width, box.x + (5 / 8) * box.width] as const;
    const bottom = box.y + box.height;
    expect(countColor(png, bars, box.x, inner[0] - 2, box.y, bottom) + countColor(png, bars, inner[1] + 2, box.x + box.width, box.y, bottom)).toBe(0);
    expect(countColor(png, bars, ...inner, box.y, bottom)).toBeGreaterThan(300);
    const topmost = (hex: string) => {
      for (let y = Math.floor(box.y); y < bottom; y++) {
        for (let x = Math.ceil(box.x); x < box.x + box.width; x++) if (isColor(png, x, y, hex)) return y;
      }
      return Infinity;
    };
    expect(topmost(bars)).toBeLessThan(box.y + 0.2 * box.height);
    expect(topmost(LATENT_HISTOGRAM_COLORS.prior)).toBeGreaterThan(box.y + 0.6 * box.height);
  });

  it('is the same picture every time', () => {
    expect(Buffer.from(encodeLatentHistograms(z, n, J, m)).equals(Buffer.from(encodeLatentHistograms(z, n, J, m)))).toBe(true);
  });

  it('writeLatentHistograms writes the PNG (preview in the temp folder)', async () => {
    const dir = join(tmpdir(), 'vaekit-report-preview');
    await writeLatentHistograms(join(dir, 'latent-match.png'), z, n, J, m, { subtitle: 'synthetic · one shifted, one narrow dimension' });
    const written = decode(await readFile(join(dir, 'latent-match.png')));
    expect(written.width).toBe(png.width);
    // The subtitle adds a line.
    expect(written.height).toBeGreaterThan(png.height);
  });
});
