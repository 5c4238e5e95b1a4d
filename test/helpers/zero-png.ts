/**
 * Writes PNG files whose image data is a zlib stream of zero bytes, deflated chunk by chunk so
 * that even a 20 000 × 20 000 image (400 MB of scanlines, ~390 KB on disk) is built in a few MB
 * of memory. Zeros are a valid black image (filter byte 0, pixel 0) when their count matches the
 * header; tests give another count to build a PNG that lies about its size.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDeflate, crc32 } from 'node:zlib';

export interface ZeroPngHeader {
  width: number;
  height: number;
  /** Default 8. */
  bitDepth?: number;
  /** 0 gray (default), 2 RGB, 3 palette, 4 gray + alpha, 6 RGBA. */
  colorType?: number;
  /** Adam7; default false. */
  interlaced?: boolean;
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

function chunk(type: string, data: Buffer): Buffer {
  const typed = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  typed.copy(out, 4);
  out.writeUInt32BE(crc32(typed), 8 + data.length);
  return out;
}

/** Scanline bytes of a non-interlaced image: what a black image's zero stream must hold. */
export function plainScanlineBytes({ width, height, bitDepth = 8, colorType = 0 }: ZeroPngHeader): number {
  return height * (Math.ceil((width * SAMPLES[colorType]! * bitDepth) / 8) + 1);
}

async function* zeros(total: number): AsyncGenerator<Buffer> {
  const block = Buffer.alloc(1 << 20);
  for (let left = total; left > 0; left -= block.length) yield left >= block.length ? block : block.subarray(0, left);
}

/**
 * Writes a PNG with `header` whose IDAT data inflates to `dataBytes` zeros (default: exactly a
 * black non-interlaced image). `trailingBytes` zeros after IEND make the file larger.
 */
export async function writeZeroPng(path: string, header: ZeroPngHeader, options: { dataBytes?: number; trailingBytes?: number } = {}): Promise<void> {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(header.width, 0);
  ihdr.writeUInt32BE(header.height, 4);
  ihdr[8] = header.bitDepth ?? 8;
  ihdr[9] = header.colorType ?? 0;
  ihdr[12] = header.interlaced ? 1 : 0;
  const dataBytes = options.dataBytes ?? plainScanlineBytes(header);
  await pipeline(
    Readable.from(zeros(dataBytes)),
    createDeflate({ level: 9 }),
    async function* (deflated: AsyncIterable<Buffer>) {
      yield Buffer.concat([SIGNATURE, chunk('IHDR', ihdr)]);
      for await (const part of deflated) yield chunk('IDAT', part);
      yield chunk('IEND', Buffer.alloc(0));
      if (options.trailingBytes) yield* zeros(options.trailingBytes);
    },
    createWriteStream(path),
  );
}
