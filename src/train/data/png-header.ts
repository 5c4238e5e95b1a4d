import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { VaekitError } from '../../errors.js';
import { MAX_IMAGE_SIDE, PNG_EXTRA_BYTES, formatBytes } from './limits.js';

/**
 * What a PNG's IHDR chunk says, read from the file's first 33 bytes so that sizes can be checked
 * before anything is decoded or allocated.
 */
export interface PngHeader {
  width: number;
  height: number;
  /** Bits per sample: 1, 2, 4, 8 or 16. */
  bitDepth: number;
  /** 0 gray, 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType: number;
  /** Adam7 interlacing. */
  interlaced: boolean;
  /** Size of the file, in bytes. */
  fileBytes: number;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Signature (8) + IHDR length (4) + type (4) + data (13) + CRC (4). */
const HEADER_BYTES = 33;
/** Bit depths the PNG specification allows for each colour type, and its samples per pixel. */
const COLOR_TYPES: Record<number, { depths: number[]; samples: number }> = {
  0: { depths: [1, 2, 4, 8, 16], samples: 1 },
  2: { depths: [8, 16], samples: 3 },
  3: { depths: [1, 2, 4, 8], samples: 1 },
  4: { depths: [8, 16], samples: 2 },
  6: { depths: [8, 16], samples: 4 },
};
/** Adam7 passes: x start, y start, x step, y step. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

function invalid(path: string, message: string, cause?: unknown): VaekitError {
  return new VaekitError('invalid-data', `${path}: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Bytes the PNG's zlib stream must inflate to: every scanline with its filter byte, summed over
 * the seven Adam7 passes when interlaced.
 */
export function pngScanlineBytes(header: Pick<PngHeader, 'width' | 'height' | 'bitDepth' | 'colorType' | 'interlaced'>): number {
  const bitsPerPixel = COLOR_TYPES[header.colorType]!.samples * header.bitDepth;
  const passBytes = (width: number, height: number): number =>
    width > 0 && height > 0 ? height * (Math.ceil((width * bitsPerPixel) / 8) + 1) : 0;
  if (!header.interlaced) return passBytes(header.width, header.height);
  return ADAM7.reduce(
    (sum, [x0, y0, dx, dy]) => sum + passBytes(Math.ceil((header.width - x0) / dx), Math.ceil((header.height - y0) / dy)),
    0,
  );
}

/** Parses and checks the first 33 bytes of a PNG file (signature and IHDR). */
export function parsePngHeader(path: string, bytes: Buffer, fileBytes: number): PngHeader {
  if (bytes.length < HEADER_BYTES || !bytes.subarray(0, 8).equals(SIGNATURE)) {
    throw invalid(path, 'not a readable PNG (expected the 8-byte PNG signature followed by an IHDR chunk)');
  }
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw invalid(path, `not a readable PNG: expected a 13-byte IHDR chunk first, found ${JSON.stringify(bytes.toString('latin1', 12, 16))}`);
  }
  const header: PngHeader = {
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
    bitDepth: bytes[24]!,
    colorType: bytes[25]!,
    interlaced: bytes[28] === 1,
    fileBytes,
  };
  const { width, height, bitDepth, colorType } = header;
  const kind = COLOR_TYPES[colorType];
  if (kind === undefined || !kind.depths.includes(bitDepth) || bytes[26] !== 0 || bytes[27] !== 0 || bytes[28]! > 1) {
    throw invalid(
      path,
      `not a readable PNG: IHDR holds colour type ${colorType}, bit depth ${bitDepth}, compression ${bytes[26]}, filter ${bytes[27]}, interlace ${bytes[28]}, which the PNG specification does not allow`,
    );
  }
  if (width === 0 || height === 0) throw invalid(path, `expected an image of at least 1 × 1 pixels, found ${width}×${height} (width×height)`);
  if (width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE) {
    throw invalid(path, `${width}×${height} pixels (width×height); vaekit takes images of at most ${MAX_IMAGE_SIDE} pixels on a side (downscale them)`);
  }
  const maxFileBytes = pngScanlineBytes(header) + PNG_EXTRA_BYTES;
  if (fileBytes > maxFileBytes) {
    throw invalid(
      path,
      `${formatBytes(fileBytes)} for a ${width}×${height} image, whose pixels take at most ${formatBytes(pngScanlineBytes(header))} ` +
        `uncompressed; vaekit refuses PNG files over that plus ${formatBytes(PNG_EXTRA_BYTES)} of metadata (strip the extra chunks)`,
    );
  }
  return header;
}

/**
 * Reads and checks the signature and IHDR of the PNG at `path`, without reading the rest.
 * Synchronous: 33 bytes per file, and thousands of files would otherwise queue on libuv's pool.
 *
 * @throws VaekitError `invalid-data` naming the file when it is not a PNG, its IHDR is not valid,
 * it is wider or taller than {@link MAX_IMAGE_SIDE}, or the file is far larger than its pixels;
 * `io-error` when it cannot be read.
 */
export function readPngHeader(path: string): PngHeader {
  let fd: number;
  let bytes: Buffer;
  let fileBytes: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new VaekitError('io-error', `${path}: cannot read (${(cause as Error).message})`, { cause });
  }
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    bytes = buffer.subarray(0, readSync(fd, buffer, 0, HEADER_BYTES, 0));
    fileBytes = fstatSync(fd).size;
  } catch (cause) {
    throw new VaekitError('io-error', `${path}: cannot read (${(cause as Error).message})`, { cause });
  } finally {
    closeSync(fd);
  }
  return parsePngHeader(path, bytes, fileBytes);
}

/**
 * For an interlaced PNG: checks that its image data inflates to no more than the header announces.
 * (pngjs caps the inflation of non-interlaced PNGs at their size but inflates interlaced ones
 * without a cap, so a small file could claim 28 × 28 pixels and inflate to gigabytes.)
 * Malformed chunks are left for the decoder to report.
 */
export function checkInterlacedData(path: string, file: Buffer, header: PngHeader): void {
  if (!header.interlaced) return;
  const parts: Buffer[] = [];
  for (let at = 8; at + 12 <= file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') parts.push(file.subarray(at + 8, Math.min(at + 8 + length, file.length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  const expected = pngScanlineBytes(header);
  try {
    inflateSync(Buffer.concat(parts), { maxOutputLength: expected });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw invalid(path, `its image data inflates to more than the ${expected} bytes a ${header.width}×${header.height} interlaced image holds`, error);
    }
    // Other zlib errors: the decoder reports them with the file's name.
  }
}
