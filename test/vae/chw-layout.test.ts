/**
 * input.layout "chw": a channel-first model (PyTorch's NCHW) runs every Vae method, and its numbers
 * are the channel-last model's with each image transposed. Both tiny models share their weights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chwToHwc, hwcToChw, imageDims, toHwc } from '../../src/vae/pixel-layout.js';
import { Vae } from '../../src/vae/vae.js';
import { rejected } from '../helpers/thrown.js';
import { RUNTIMES, everyMethod, examples, expectSameNumbers, type Outcome } from './every-method.js';
import { C, D, H, W, tinyModel, toChw } from './tiny-models.js';

describe('pixel-layout', () => {
  it('reads height, width and channels from either layout, and nothing from features', () => {
    expect(imageDims([28, 28, 1], 'hwc')).toEqual({ height: 28, width: 28, channels: 1 });
    expect(imageDims([3, 32, 16], 'chw')).toEqual({ height: 32, width: 16, channels: 3 });
    expect(imageDims([784], 'features')).toBeNull();
  });

  it('transposes HWC to CHW and back, as an independent loop does', () => {
    const x = examples(2, D);
    const dims = { height: H, width: W, channels: C };
    expect(hwcToChw(x, 2, dims)).toEqual(toChw(x, 2));
    expect(chwToHwc(hwcToChw(x, 2, dims), 2, dims)).toEqual(x);
    expect(toHwc(x, 2, dims, 'hwc')).toBe(x); // nothing to do: no copy
    expect(toHwc(toChw(x, 2), 2, dims, 'chw')).toEqual(x);
  });
});

/** The hwc model's results as the chw model must give them: every image transposed. */
function transposed(results: Record<string, Outcome>): Record<string, Outcome> {
  return Object.fromEntries(Object.entries(results).map(([name, r]) => {
    const n = r.shape[0]!;
    return [name, r.image ? { data: toChw(r.data as Float32Array, n), shape: [n, C, H, W], image: true } : r];
  }));
}

/** n RGBA images of W×H, seeded. */
function imageData(n: number) {
  const bytes = examples(n, W * H * 4, 5);
  return Array.from({ length: n }, (_, i) => ({ width: W, height: H, data: Uint8ClampedArray.from(bytes.subarray(i * W * H * 4, (i + 1) * W * H * 4), (v) => Math.floor(v * 256)) }));
}

describe.each(RUNTIMES)('a chw model on %s', (_name, runtime) => {
  let hwc: Vae;
  let chw: Vae;

  beforeAll(async () => {
    hwc = await Vae.load(await tinyModel({ layout: 'hwc' }), { runtime, device: 'cpu' });
    chw = await Vae.load(await tinyModel({ layout: 'chw' }), { runtime, device: 'cpu' });
  });

  afterAll(async () => {
    await Promise.all([hwc.dispose(), chw.dispose()]);
  });

  it('says its layout, and takes and returns [N, C, H, W]', async () => {
    expect(chw.inputShape).toEqual([C, H, W]);
    expect(chw.info).toEqual({ layout: 'chw', fixedBatch: { encoder: null, decoder: null }, derivedMean: false });
    expect((await chw.sample(2)).mean.shape).toEqual([2, C, H, W]);
    expect((await hwc.sample(2)).mean.shape).toEqual([2, H, W, C]);
  });

  it('gives every method the hwc model’s numbers, each image transposed', async () => {
    const x = examples(5, D);
    const expected = transposed(await everyMethod(hwc, x, 5));
    expectSameNumbers(await everyMethod(chw, toChw(x, 5), 5), expected, 1e-6);
  });

  it('says so when channel-last images are given to the chw model', async () => {
    const error = await rejected(chw.encode({ data: examples(2, D), shape: [2, H, W, C] }));
    expect(error.code).toBe('shape-mismatch');
    expect(error.message).toBe(`'x.shape' must be [N, ${C}, ${H}, ${W}]; found [2, ${H}, ${W}, ${C}] — channel-last images: this model takes channel-first (chw) ones, transpose them (or pass ImageData)`);
  });

  it('converts ImageData (channel-last RGBA) to the model’s layout', async () => {
    const images = imageData(3);
    const [fromHwc, fromChw] = await Promise.all([hwc.encode(images), chw.encode(images)]);
    expect(fromChw.mu.data).toEqual(fromHwc.mu.data);
    const pixels = Float32Array.from({ length: 3 * H * W * C }, (_, i) => images[Math.floor(i / (H * W * C))]!.data[Math.floor((i % (H * W * C)) / C) * 4 + (i % C)]! / 255);
    expect((await chw.encode(toChw(pixels, 3))).mu.data).toEqual(fromChw.mu.data);
  });
});
