import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { thrown } from '../../helpers/thrown.js';
import {
  LOSS_CURVE_COLORS,
  encodeLossCurve,
  niceTicks,
  renderLossCurveSvg,
  writeLossCurve,
  type LossCurveEpoch,
} from '../../../src/train/report/loss-curve.js';

function decode(bytes: Uint8Array) {
  return PNG.sync.read(Buffer.from(bytes));
}

/** Pixels within a small distance of `hex`. */
function countColor(png: PNG, hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
  let n = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    if (Math.abs(png.data[i]! - r) + Math.abs(png.data[i + 1]! - g) + Math.abs(png.data[i + 2]! - b) <= 12) n++;
  }
  return n;
}

function history(epochs: number, withRecon = false): LossCurveEpoch[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    trainNegElbo: 100 + 80 * Math.exp(-i / 8),
    testNegElbo: 103 + 70 * Math.exp(-i / 9),
    testKl: 25 - 10 * Math.exp(-i / 5),
    ...(withRecon ? { testRecon: 78 + 60 * Math.exp(-i / 9) } : {}),
  }));
}

describe('niceTicks', () => {
  it('steps by 1, 2 or 5 × 10^k and covers the range', () => {
    expect(niceTicks(0.3, 9.2).ticks).toEqual([0, 2, 4, 6, 8, 10]);
    expect(niceTicks(1, 100, 5, 1).ticks).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(1, 3, 5, 1).ticks).toEqual([1, 2, 3]);
    expect(niceTicks(87.3, 181.6)).toMatchObject({ lo: 80, hi: 200, step: 20 });
    expect(niceTicks(-3.2, 1.1).ticks).toEqual([-4, -3, -2, -1, 0, 1, 2]);
    expect(niceTicks(-0.32, 0.11).ticks).toEqual([-0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2]);
  });

  it('handles values that vary little with enough decimals', () => {
    const t = niceTicks(100.001, 100.002);
    expect(t.step).toBeCloseTo(0.0002, 12);
    expect(t.decimals).toBe(4);
    expect(t.ticks[0]).toBe(100.001);
    expect(t.ticks.at(-1)).toBe(100.002);
  });

  it('widens a zero-width range', () => {
    expect(niceTicks(5, 5, 5, 1).ticks).toEqual([4, 5, 6]);
    expect(niceTicks(1, 1, 5, 1).ticks).toEqual([0, 1, 2]);
    const zero = niceTicks(0, 0);
    expect(zero.lo).toBeLessThan(0);
    expect(zero.hi).toBeGreaterThan(0);
  });
});

describe('renderLossCurveSvg', () => {
  it('has a title, axis labels, legend entries and numbered ticks', () => {
    const svg = renderLossCurveSvg(history(100, true), { title: 'mnist <mlp> & co' });
    expect(svg).toContain('mnist &#60;mlp&#62; &#38; co');
    for (const text of ['−ELBO (nats)', 'KL (nats)', '>epoch<', 'train −ELBO', 'test −ELBO', 'test reconstruction', 'test KL']) {
      expect(svg).toContain(text);
    }
    for (const tick of ['>0<', '>20<', '>100<']) expect(svg).toContain(tick);
    for (const color of Object.values(LOSS_CURVE_COLORS)) expect(svg).toContain(color);
  });

  it('omits the reconstruction series when no epoch has it', () => {
    expect(renderLossCurveSvg(history(3))).not.toContain('test reconstruction');
  });

  it('labels ticks of a nearly flat curve with distinct numbers', () => {
    const flat = history(5).map((h, i) => ({ ...h, trainNegElbo: 100.001 + i * 0.0002, testNegElbo: 100.0012 + i * 0.0001 }));
    const svg = renderLossCurveSvg(flat);
    expect(svg).toContain('>100.0010<');
    expect(svg).toContain('>100.0018<');
  });

  it('rejects empty, non-finite and unordered histories naming the entry', () => {
    expect(thrown(() => renderLossCurveSvg([])).code).toBe('invalid-argument');
    const nan = history(4);
    nan[2] = { ...nan[2]!, testKl: NaN };
    const e = thrown(() => renderLossCurveSvg(nan));
    expect(e.code).toBe('non-finite');
    expect(e.message).toContain('history[2].testKl');
    const unordered = history(3);
    unordered[2] = { ...unordered[2]!, epoch: 1 };
    expect(thrown(() => renderLossCurveSvg(unordered)).message).toContain('history[2].epoch: expected epochs in increasing order, found 1 after 2');
    const missing = [{ epoch: 1, trainNegElbo: 1, testNegElbo: 1 }] as unknown as LossCurveEpoch[];
    expect(thrown(() => renderLossCurveSvg(missing)).message).toContain('history[0].testKl: expected a number, found undefined');
    expect(thrown(() => renderLossCurveSvg(history(2), { width: 100 })).message).toContain('width: expected an integer ≥ 500, found 100');
  });
});

describe('encodeLossCurve', () => {
  it('renders a 900×500 PNG with every line colour', () => {
    const png = decode(encodeLossCurve(history(100, true)));
    expect([png.width, png.height]).toEqual([900, 500]);
    for (const color of Object.values(LOSS_CURVE_COLORS)) expect(countColor(png, color)).toBeGreaterThan(100);
    // Dark text (title, ticks, labels) is there too.
    expect(countColor(png, '#222222')).toBeGreaterThan(200);
  });

  it('works for a single epoch: one dot per series', () => {
    const png = decode(encodeLossCurve([{ epoch: 1, trainNegElbo: 190.3, testNegElbo: 170.1, testKl: 12.5 }]));
    expect([png.width, png.height]).toEqual([900, 500]);
    for (const color of [LOSS_CURVE_COLORS.train, LOSS_CURVE_COLORS.test, LOSS_CURVE_COLORS.testKl]) {
      expect(countColor(png, color)).toBeGreaterThan(15);
    }
  });

  it('takes another size', () => {
    const png = decode(encodeLossCurve(history(10), { width: 1200, height: 600 }));
    expect([png.width, png.height]).toEqual([1200, 600]);
  });

  it('writeLossCurve writes the PNG (preview in the temp folder)', async () => {
    const dir = join(tmpdir(), 'vaekit-report-preview');
    await writeLossCurve(join(dir, 'loss-curve.png'), history(100, true), { title: 'mnist-mlp, seed 1' });
    await writeLossCurve(join(dir, 'loss-curve-1-epoch.png'), history(1));
    const png = decode(await readFile(join(dir, 'loss-curve.png')));
    expect([png.width, png.height]).toEqual([900, 500]);
  });
});
