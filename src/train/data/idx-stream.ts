/**
 * IDX files, the format of MNIST and its relatives (Fashion-MNIST, KMNIST, EMNIST): a big-endian
 * header (magic, then one uint32 per dimension) followed by the values, row-major. This file reads
 * one file as a stream — header first, then the data in pieces — so that a loader can fill arrays
 * (idx.ts) and a scorer can take rows a chunk at a time without holding the file (src/score).
 */
import { open, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { VaekitError } from '../../errors.js';
import { DATASET_LIMIT_HINT, MAX_DATASET_VALUES, MAX_IMAGE_SIDE, describeValues, formatBytes } from './limits.js';

/** Magic number of uint8 images [n, rows, cols]. */
export const IDX_IMAGES_MAGIC = 0x00000803;
/** Magic number of uint8 labels [n]. */
export const IDX_LABELS_MAGIC = 0x00000801;

export type IdxKind = 'images' | 'labels';

const MAGIC: Record<IdxKind, number> = { images: IDX_IMAGES_MAGIC, labels: IDX_LABELS_MAGIC };
const MAGIC_TEXT: Record<IdxKind, string> = {
  images: `0x00000803 (uint8 images [n, rows, cols])`,
  labels: `0x00000801 (uint8 labels [n])`,
};
const HEADER_BYTES: Record<IdxKind, number> = { images: 16, labels: 8 };
const GZIP_MAGIC = [0x1f, 0x8b] as const;
const CHUNK_BYTES = 1 << 16;

/** What the header of an IDX file says. */
export interface IdxHeader {
  kind: IdxKind;
  /** Number of images or labels. */
  count: number;
  /** Image height (1 for labels). */
  rows: number;
  /** Image width (1 for labels). */
  cols: number;
  /** Bytes of the header (16 for images, 8 for labels). */
  headerBytes: number;
  /** Bytes of data the header announces: count × rows × cols. */
  dataBytes: number;
  /** Whether the file is gzip-compressed (told by its first two bytes 1f 8b, not by its name). */
  gzip: boolean;
}

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

function describeMagic(magic: number): string {
  if (magic === IDX_IMAGES_MAGIC) return `${hex32(magic)} (uint8 images — is this the images file where labels were expected?)`;
  if (magic === IDX_LABELS_MAGIC) return `${hex32(magic)} (uint8 labels — is this the labels file where images were expected?)`;
  return hex32(magic);
}

export function invalid(path: string, message: string, cause?: unknown): VaekitError {
  return new VaekitError('invalid-data', `${path}: ${message}`, cause === undefined ? undefined : { cause });
}

function fileError(path: string, error: unknown): Error {
  if (error instanceof VaekitError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return invalid(path, 'file not found', error);
  if (code === 'EISDIR') return invalid(path, 'is a folder; expected an IDX file', error);
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return invalid(path, `starts like a gzip file (1f 8b) but is not a valid or complete gzip stream (${(error as Error).message})`, error);
  }
  if (typeof code === 'string') return new VaekitError('io-error', `${path}: cannot read (${(error as Error).message})`, { cause: error });
  return error as Error;
}

function parseHeader(path: string, expected: IdxKind, bytes: Buffer, gzip: boolean): IdxHeader {
  const magic = bytes.readUInt32BE(0);
  if (magic !== MAGIC[expected]) {
    throw invalid(path, `not an IDX ${expected} file: expected magic ${MAGIC_TEXT[expected]}, found ${describeMagic(magic)}`);
  }
  const count = bytes.readUInt32BE(4);
  const rows = expected === 'images' ? bytes.readUInt32BE(8) : 1;
  const cols = expected === 'images' ? bytes.readUInt32BE(12) : 1;
  if (rows === 0 || cols === 0) throw invalid(path, `expected images of at least 1 × 1 pixels, found ${rows} × ${cols}`);
  const header: IdxHeader = { kind: expected, count, rows, cols, headerBytes: HEADER_BYTES[expected], dataBytes: count * rows * cols, gzip };
  checkLimits(path, header);
  return header;
}

/** Refuses, from the header alone, a file whose data would not fit vaekit's limits (see limits.ts). */
function checkLimits(path: string, header: IdxHeader): void {
  if (header.rows > MAX_IMAGE_SIDE || header.cols > MAX_IMAGE_SIDE) {
    throw invalid(
      path,
      `the header announces images of ${header.rows} × ${header.cols} pixels; vaekit takes images of at most ${MAX_IMAGE_SIDE} pixels on a side (downscale them)`,
    );
  }
  if (header.dataBytes > MAX_DATASET_VALUES) {
    const size = header.kind === 'images' ? `: ${describeValues(header.dataBytes)}` : ', more than a data set may hold images';
    const inflated = header.gzip ? `, ${formatBytes(header.dataBytes)} once inflated` : '';
    throw invalid(path, `the header announces ${describeContent(header)}${size}${inflated}; ${DATASET_LIMIT_HINT}`);
  }
}

export function describeContent(header: IdxHeader): string {
  return header.kind === 'images'
    ? `${header.count} images of ${header.rows} × ${header.cols}`
    : `${header.count} labels`;
}

/** An IDX file opened for streaming: its header, then its data bytes in order. */
export interface IdxStream {
  header: IdxHeader;
  /**
   * The data after the header, in pieces of up to 64 KiB, checked to be exactly as long as the
   * header says (a longer gzip stream is refused within one piece of the announced end).
   * Iterate it once; the file is closed when it ends, throws, or the loop is left early.
   */
  data: AsyncIterable<Uint8Array>;
  /** Closes the file (for a caller that stops before iterating `data`). */
  close(): Promise<void>;
}

/**
 * Opens one IDX file (gzipped or not, told by its first two bytes) and reads its header.
 *
 * @throws VaekitError `invalid-data` naming the file when it is missing, is not an IDX file of
 * `expected`, or its header is cut short or over the limits; the data's length is checked while
 * `data` is read (the file size, when uncompressed, before the first piece).
 */
export async function openIdx(path: string, expected: IdxKind): Promise<IdxStream> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw fileError(path, error);
  }
  let raw: Readable | undefined;
  let source: Readable | undefined;
  const close = async (): Promise<void> => {
    source?.destroy();
    raw?.destroy();
    if (raw === undefined) await handle.close();
  };
  try {
    const probe = Buffer.alloc(2);
    const { bytesRead } = await handle.read(probe, 0, 2, 0);
    const gzip = bytesRead === 2 && probe[0] === GZIP_MAGIC[0] && probe[1] === GZIP_MAGIC[1];
    const fileBytes = (await handle.stat()).size;
    raw = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES }); // closes the handle when done
    if (gzip) {
      const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
      raw.on('error', (error) => gunzip.destroy(error));
      source = raw.pipe(gunzip);
    } else {
      source = raw;
    }
    const pieces = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();

    const headerBytes = HEADER_BYTES[expected];
    const head = Buffer.alloc(headerBytes);
    let headFilled = 0;
    let rest: Buffer | undefined;
    while (headFilled < headerBytes) {
      const next = await pieces.next();
      if (next.done) {
        throw invalid(
          path,
          `truncated: expected a ${headerBytes}-byte IDX header starting with magic ${MAGIC_TEXT[expected]}, found ${headFilled} bytes${gzip ? ' after decompression' : ''}`,
        );
      }
      const chunk = next.value;
      const take = Math.min(headerBytes - headFilled, chunk.length);
      chunk.copy(head, headFilled, 0, take);
      headFilled += take;
      if (take < chunk.length) rest = chunk.subarray(take);
      // The magic alone tells a wrong file; check it as soon as it is in.
      if (headFilled >= 4 && head.readUInt32BE(0) !== MAGIC[expected]) parseHeader(path, expected, head, gzip);
    }
    const header = parseHeader(path, expected, head, gzip);

    async function* data(): AsyncGenerator<Uint8Array> {
      try {
        if (!gzip && fileBytes - headerBytes !== header.dataBytes) {
          // Uncompressed: the file size tells a truncated file before anything is read.
          throw invalid(
            path,
            `${fileBytes - headerBytes < header.dataBytes ? 'truncated' : 'too long'}: the header announces ${describeContent(header)}, so expected ${header.dataBytes} bytes of data after the ${headerBytes}-byte header, found ${fileBytes - headerBytes}`,
          );
        }
        let received = 0;
        let chunk: Buffer | undefined = rest;
        for (;;) {
          if (chunk === undefined) {
            const next = await pieces.next();
            if (next.done) break;
            chunk = next.value;
          }
          const n = chunk.length;
          // The header caps the inflation: a stream longer than announced is refused within one
          // chunk (64 KiB) of the announced end, however much more it would inflate to.
          if (received + n > header.dataBytes) {
            throw invalid(
              path,
              `too long: the header announces ${describeContent(header)}, so expected ${header.dataBytes} bytes of data after the ${headerBytes}-byte header, found more (at least ${received + n})`,
            );
          }
          received += n;
          if (n > 0) yield chunk;
          chunk = undefined;
        }
        if (received !== header.dataBytes) {
          throw invalid(
            path,
            `truncated: the header announces ${describeContent(header)}, so expected ${header.dataBytes} bytes of data after the ${headerBytes}-byte header, found ${received}${gzip ? ' after decompression' : ''}`,
          );
        }
      } catch (error) {
        throw fileError(path, error);
      } finally {
        await close();
      }
    }
    return { header, data: data(), close };
  } catch (error) {
    await close();
    throw fileError(path, error);
  }
}
