/**
 * Row readers of `vaekit score`: each data source as a sequence of rows in the data's own layout
 * (channel-last images or feature rows) read a few at a time, so that scoring a data set holds one
 * chunk of it, not all of it. read-chunks.ts picks the reader and turns its rows into chunks.
 */
import { join } from 'node:path';
import { VaekitError } from '../errors.js';
import type { DataSplit } from '../train/data/dataset.js';
import { type IdxHeader, openIdx } from '../train/data/idx-stream.js';
import { UNIT_SCALE } from '../train/data/idx.js';
import { decodePng, isGray, rgbaToValues } from '../train/data/png-folder.js';
import { readPngHeader } from '../train/data/png-header.js';

/** Rows read from a data source: `count` rows of `features` values, and their labels when it has them. */
export interface RowBatch {
  x: Float32Array;
  labels: Int32Array | null;
  count: number;
}

/** A data source read in order, a few rows at a time. */
export interface RowReader {
  /** Values per row, in the data's layout. */
  readonly features: number;
  /** Image size when the rows are images (channel-last), else null. */
  readonly image: { height: number; width: number; channels: number } | null;
  readonly labelled: boolean;
  /** The next `n` rows, fewer only at the end of the data (0 after it). */
  read(n: number): Promise<RowBatch>;
  /** Passes over the next `n` rows without decoding them where the source allows; returns how many there were. */
  skip(n: number): Promise<number>;
  /** Releases open files (also when the reader is left before its end). */
  close(): Promise<void>;
}

/** Rows of in-memory splits, one after the other (the embedded MNIST digits). */
export function memoryRows(splits: readonly DataSplit[], features: number, image: RowReader['image']): RowReader {
  let split = 0;
  let row = 0;
  const advance = (n: number, into?: RowBatch): number => {
    let done = 0;
    while (done < n && split < splits.length) {
      const s = splits[split]!;
      const take = Math.min(n - done, s.count - row);
      if (into) {
        into.x.set(s.x.subarray(row * features, (row + take) * features), done * features);
        if (into.labels) into.labels.set(s.labels!.subarray(row, row + take), done);
      }
      done += take;
      row += take;
      if (row === s.count) {
        split++;
        row = 0;
      }
    }
    return done;
  };
  const labelled = splits.every((s) => s.labels !== null);
  return {
    features,
    image,
    labelled,
    async read(n) {
      const batch = { x: new Float32Array(n * features), labels: labelled ? new Int32Array(n) : null, count: 0 };
      batch.count = advance(n, batch);
      return trim(batch, features);
    },
    async skip(n) {
      return advance(n);
    },
    async close() {},
  };
}

/** `batch` cut to its `count` rows. */
function trim(batch: RowBatch, features: number): RowBatch {
  if (batch.x.length === batch.count * features) return batch;
  return { x: batch.x.slice(0, batch.count * features), labels: batch.labels?.slice(0, batch.count) ?? null, count: batch.count };
}

/** Takes exact byte counts from an IDX file's data pieces. */
class ByteTaker {
  private piece: Uint8Array = new Uint8Array(0);
  private at = 0;
  private readonly pieces: AsyncIterator<Uint8Array>;

  constructor(data: AsyncIterable<Uint8Array>) {
    this.pieces = data[Symbol.asyncIterator]();
  }

  /** Feeds the next `n` bytes to `sink` (fewer only when the data ends; the IDX stream refuses a short file). */
  async take(n: number, sink?: (bytes: Uint8Array, offset: number) => void): Promise<number> {
    let done = 0;
    while (done < n) {
      if (this.at === this.piece.length) {
        const next = await this.pieces.next();
        if (next.done) break;
        this.piece = next.value;
        this.at = 0;
      }
      const take = Math.min(n - done, this.piece.length - this.at);
      sink?.(this.piece.subarray(this.at, this.at + take), done);
      this.at += take;
      done += take;
    }
    return done;
  }

  /** Reads past the last byte, so the stream checks the file's length, and closes it. */
  async finish(): Promise<void> {
    for (let next = await this.pieces.next(); !next.done; next = await this.pieces.next());
  }

  async close(): Promise<void> {
    await this.pieces.return?.();
  }
}

/** One IDX images file and, optionally, its labels file. */
export interface IdxPart {
  images: string;
  labels?: string;
}

/** The headers of `parts`: images of one size, a label per image; counted before any data is read. */
export async function idxHeaders(parts: readonly IdxPart[]): Promise<{ images: IdxHeader; labels: IdxHeader | null }[]> {
  const headers: { images: IdxHeader; labels: IdxHeader | null }[] = [];
  for (const part of parts) {
    const images = await openIdx(part.images, 'images');
    await images.close();
    let labels: IdxHeader | null = null;
    if (part.labels !== undefined) {
      const opened = await openIdx(part.labels, 'labels');
      await opened.close();
      labels = opened.header;
      if (labels.count !== images.header.count) {
        throw new VaekitError('invalid-data', `${part.labels}: expected ${images.header.count} labels, one per image of ${part.images}; found ${labels.count}`);
      }
    }
    const first = headers[0]?.images;
    if (first && (first.rows !== images.header.rows || first.cols !== images.header.cols)) {
      throw new VaekitError(
        'invalid-data',
        `${parts[0]!.images} holds ${first.rows} × ${first.cols} images but ${part.images} holds ${images.header.rows} × ${images.header.cols}`,
      );
    }
    headers.push({ images: images.header, labels });
  }
  return headers;
}

/**
 * Rows of IDX files (images with their labels when given), file after file, streamed: each file is
 * read (and inflated) once, 64 KiB at a time; skipped rows are read past without being converted.
 */
export async function idxRows(parts: readonly IdxPart[]): Promise<RowReader> {
  const headers = await idxHeaders(parts);
  const { rows: height, cols: width } = headers[0]!.images;
  const features = height * width;
  const labelled = parts.every((p) => p.labels !== undefined);
  let part = -1;
  let left = 0;
  let images: ByteTaker | null = null;
  let labels: ByteTaker | null = null;
  const closeFiles = async (): Promise<void> => {
    await images?.close();
    await labels?.close();
    images = labels = null;
  };
  /** Moves to the next file with rows left; false at the end. */
  const nextPart = async (): Promise<boolean> => {
    while (left === 0) {
      if (images) await images.finish();
      if (labels) await labels.finish();
      await closeFiles();
      if (++part >= parts.length) return false;
      const p = parts[part]!;
      images = new ByteTaker((await openIdx(p.images, 'images')).data);
      labels = labelled ? new ByteTaker((await openIdx(p.labels!, 'labels')).data) : null;
      left = headers[part]!.images.count;
    }
    return true;
  };
  const advance = async (n: number, into?: RowBatch): Promise<number> => {
    let done = 0;
    while (done < n && (await nextPart())) {
      const take = Math.min(n - done, left);
      const base = done;
      await images!.take(take * features, into && ((bytes, offset) => {
        for (let i = 0; i < bytes.length; i++) into.x[base * features + offset + i] = UNIT_SCALE[bytes[i]!]!;
      }));
      if (labels) await labels.take(take, into?.labels ? (bytes, offset) => into.labels!.set(bytes, base + offset) : undefined);
      left -= take;
      done += take;
    }
    return done;
  };
  return {
    features,
    image: { height, width, channels: 1 },
    labelled,
    async read(n) {
      const batch = { x: new Float32Array(n * features), labels: labelled ? new Int32Array(n) : null, count: 0 };
      batch.count = await advance(n, batch);
      return trim(batch, features);
    },
    skip: (n) => advance(n),
    close: closeFiles,
  };
}

/**
 * Rows of PNG files (`files` relative to `root`, in the order to score them), decoded a chunk at a
 * time to the model's `channels`: 1 takes gray images (R = G = B) as they are and refuses colour
 * ones, 3 takes RGB. Every image must have the model's size.
 */
export function pngRows(
  root: string,
  files: readonly string[],
  labels: Int32Array | null,
  image: { height: number; width: number; channels: 1 | 3 },
  model: string,
): RowReader {
  const features = image.height * image.width * image.channels;
  let next = 0;
  return {
    features,
    image,
    labelled: labels !== null,
    async read(n) {
      const count = Math.min(n, files.length - next);
      const batch = { x: new Float32Array(count * features), labels: labels ? labels.slice(next, next + count) : null, count };
      for (let i = 0; i < count; i++) {
        const path = join(root, files[next + i]!);
        const header = readPngHeader(path);
        if (header.width !== image.width || header.height !== image.height) {
          throw new VaekitError(
            'shape-mismatch',
            `${path} is ${header.width}×${header.height} (width×height); model '${model}' takes ${image.width}×${image.height} images`,
          );
        }
        const rgba = await decodePng(path, header);
        if (image.channels === 1 && !isGray(rgba)) {
          throw new VaekitError('shape-mismatch', `${path} is a colour image; model '${model}' takes gray images (1 channel)`);
        }
        rgbaToValues(rgba, image.channels, batch.x, i * features);
      }
      next += count;
      return batch;
    },
    async skip(n) {
      const count = Math.min(n, files.length - next);
      next += count;
      return count;
    },
    async close() {},
  };
}
