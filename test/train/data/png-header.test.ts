import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkInterlacedData, parsePngHeader, pngScanlineBytes, readPngHeader } from '../../../src/train/data/png-header.js';
import { thrown } from '../../helpers/thrown.js';
import { writeZeroPng } from '../../helpers/zero-png.js';

const DIGIT = fileURLToPath(new URL('../../fixtures/png-folder/digits/0/00.png', import.meta.url));
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vaekit-png-header-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('pngScanlineBytes', () => {
  it('counts a filter byte per row and packs sub-byte depths', () => {
    const gray = { width: 28, height: 28, bitDepth: 8, colorType: 0, interlaced: false };
    expect(pngScanlineBytes(gray)).toBe(28 * 29);
    expect(pngScanlineBytes({ ...gray, width: 4, height: 4, bitDepth: 16, colorType: 6 })).toBe(4 * (4 * 8 + 1));
    expect(pngScanlineBytes({ ...gray, width: 10, height: 3, bitDepth: 1 })).toBe(3 * (2 + 1));
  });

  it('sums the seven Adam7 passes of an interlaced image', () => {
    // 28×28 gray: passes of 4×4, 3×4, 7×3, 7×7, 14×7, 14×14 and 28×14 pixels, each row + 1 filter byte:
    // 20 + 16 + 24 + 56 + 105 + 210 + 406.
    expect(pngScanlineBytes({ width: 28, height: 28, bitDepth: 8, colorType: 0, interlaced: true })).toBe(837);
    // A 1×1 image has only the first pass.
    expect(pngScanlineBytes({ width: 1, height: 1, bitDepth: 8, colorType: 2, interlaced: true })).toBe(4);
  });
});

describe('readPngHeader', () => {
  it('reads width, height, depth, colour type and file size of a real PNG', () => {
    const header = readPngHeader(DIGIT);
    expect(header).toMatchObject({ width: 28, height: 28, bitDepth: 8, colorType: 0, interlaced: false });
    expect(header.fileBytes).toBeGreaterThan(33);
  });

  it('refuses images over 4096 pixels on a side from the header, naming the file', async () => {
    const wide = join(dir, 'wide.png');
    await writeZeroPng(wide, { width: 5000, height: 2 });
    const e = thrown(() => readPngHeader(wide));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(wide);
    expect(e.message).toContain('5000×2 pixels');
    expect(e.message).toContain('at most 4096 pixels on a side');
    await writeZeroPng(wide, { width: 4096, height: 2 });
    expect(readPngHeader(wide).width).toBe(4096);
  });

  it('refuses a file more than 16 MiB larger than its pixels', async () => {
    const padded = join(dir, 'padded.png');
    await writeZeroPng(padded, { width: 28, height: 28 }, { trailingBytes: 16 * 2 ** 20 + 1000 });
    const e = thrown(() => readPngHeader(padded));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(padded);
    expect(e.message).toContain('plus 16 MiB of metadata');
  });

  it('refuses what is not a PNG, and IHDR values the specification does not allow', async () => {
    const text = join(dir, 'text.png');
    await writeFile(text, 'not a png at all');
    expect(thrown(() => readPngHeader(text)).message).toContain(`${text}: not a readable PNG`);
    const ihdr = readFileSync(DIGIT).subarray(0, 33);
    const rgb4 = Buffer.from(ihdr);
    rgb4[24] = 4; // bit depth 4 with colour type 2
    rgb4[25] = 2;
    expect(thrown(() => parsePngHeader('x.png', rgb4, 100)).message).toContain('colour type 2, bit depth 4');
    const empty = Buffer.from(ihdr);
    empty.writeUInt32BE(0, 16);
    expect(thrown(() => parsePngHeader('x.png', empty, 100)).message).toContain('at least 1 × 1 pixels, found 0×28');
  });
});

describe('checkInterlacedData', () => {
  it('accepts an interlaced image whose data is its size, refuses one that inflates to more', async () => {
    const header = { width: 28, height: 28, interlaced: true } as const;
    const exact = join(dir, 'exact.png');
    await writeZeroPng(exact, header, { dataBytes: 837 });
    expect(() => checkInterlacedData(exact, readFileSync(exact), readPngHeader(exact))).not.toThrow();

    const bomb = join(dir, 'bomb.png');
    await writeZeroPng(bomb, header, { dataBytes: 64 * 2 ** 20 });
    const e = thrown(() => checkInterlacedData(bomb, readFileSync(bomb), readPngHeader(bomb)));
    expect(e.code).toBe('invalid-data');
    expect(e.message).toContain(bomb);
    expect(e.message).toContain('inflates to more than the 837 bytes a 28×28 interlaced image holds');
  });
});
