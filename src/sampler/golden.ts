/**
 * The golden-vector document (test/sampler/golden-vectors.json) and a checker any runtime can run:
 * Node, the tfjs trainer and a browser page load the JSON, call `checkGoldenVectors`, and must get
 * no mismatches, which proves their engine draws the same bits.
 *
 * Document structure (format "vaekit-sampler-golden/1", plus free-text `about`); hex strings are big-endian bit patterns,
 * 8 digits for float32 / uint32, 16 for float64; `values` repeat them in decimal for reading only:
 * - `philox`: Random123 known answers, `{ counter: hex[4], key: hex[2], output: hex[4] }`.
 * - `blocks`: raw blocks of a stream, `{ seed, stream, block, words: hex[4] }`.
 * - `normals`: `{ seed, stream, offset, bits: hex[], values }`: fillStandardNormal from offset.
 * - `uniforms`: `{ seed, stream, offset, bits: hex[], values }`: fillUniform (float64 bits).
 * - `reparameterize`: `{ mu, logvar, eps: hex[], temperature, bits: hex[], values }`.
 * - `samplePrior`: `{ count, latentDim, seed, stream, offset, temperature, bits: hex[], values }`.
 * Seeds are plain JSON numbers ≤ 2^53 − 1 (exact in JavaScript; parse as 64-bit integers elsewhere).
 */
import { fillStandardNormal } from './normal.js';
import { philox4x32 } from './philox.js';
import { reparameterize, samplePrior } from './reparameterize.js';
import { cursorAt, nextBlock } from './stream.js';
import { fillUniform } from './uniform.js';

export interface GoldenStreamCase {
  seed: number;
  stream: number;
  offset: number;
  bits: string[];
  values: number[];
}

export interface GoldenVectors {
  format: 'vaekit-sampler-golden/1';
  /** Human-readable notes (purpose, encoding, stream layout); not checked. */
  about?: Record<string, string>;
  philox: { counter: string[]; key: string[]; output: string[] }[];
  blocks: { seed: number; stream: number; block: number; words: string[] }[];
  normals: GoldenStreamCase[];
  uniforms: GoldenStreamCase[];
  reparameterize: { mu: string[]; logvar: string[]; eps: string[]; temperature: number; bits: string[]; values: number[] }[];
  samplePrior: (GoldenStreamCase & { count: number; latentDim: number; temperature: number })[];
}

const view = new DataView(new ArrayBuffer(8));

/**
 * Bit pattern of `x` rounded to float32, as 8 hex digits; `hexToFloat32` inverts it.
 *
 * @example
 * ```ts
 * import { float32ToHex, hexToFloat32 } from 'vaekit';
 * float32ToHex(1); // "3f800000"
 * hexToFloat32('bf800000'); // -1
 * ```
 */
export function float32ToHex(x: number): string {
  view.setFloat32(0, x);
  return view.getUint32(0).toString(16).padStart(8, '0');
}

/** The float32 whose bit pattern is `hex` (8 hex digits); see `float32ToHex`. */
export function hexToFloat32(hex: string): number {
  view.setUint32(0, parseInt(hex, 16));
  return view.getFloat32(0);
}

/**
 * Bit pattern of a double as 16 hex digits; `hexToFloat64` inverts it.
 *
 * @example
 * ```ts
 * import { float64ToHex, hexToFloat64 } from 'vaekit';
 * float64ToHex(0.5); // "3fe0000000000000"
 * hexToFloat64('3ff0000000000000'); // 1
 * ```
 */
export function float64ToHex(x: number): string {
  view.setFloat64(0, x);
  return view.getUint32(0).toString(16).padStart(8, '0') + view.getUint32(4).toString(16).padStart(8, '0');
}

/** The double whose bit pattern is `hex` (16 hex digits); see `float64ToHex`. */
export function hexToFloat64(hex: string): number {
  view.setUint32(0, parseInt(hex.slice(0, 8), 16));
  view.setUint32(4, parseInt(hex.slice(8), 16));
  return view.getFloat64(0);
}

const wordHex = (w: number): string => w.toString(16).padStart(8, '0');
const wordsHex = (words: Uint32Array): string[] => Array.from(words, wordHex);
const f32Array = (hex: string[]): Float32Array => Float32Array.from(hex, hexToFloat32);

function compare(label: string, expected: string[], actual: string[], mismatches: string[]): void {
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) {
      mismatches.push(`${label}[${i}]: expected ${expected[i]}, got ${actual[i]}`);
      return; // one line per case is enough to see what broke
    }
  }
}

/**
 * Recomputes every case of a golden-vector document with this runtime and lists the differences
 * (empty when the runtime is bit-identical to the one that wrote the file).
 *
 * @example
 * ```ts
 * import { checkGoldenVectors, type GoldenVectors } from 'vaekit';
 * const doc = (await (await fetch('/golden-vectors.json')).json()) as GoldenVectors;
 * const mismatches = checkGoldenVectors(doc);
 * if (mismatches.length > 0) throw new Error(mismatches.join('\n'));
 * ```
 */
export function checkGoldenVectors(doc: GoldenVectors): string[] {
  const mismatches: string[] = [];
  if (doc.format !== 'vaekit-sampler-golden/1') return [`unknown format ${String(doc.format)}`];
  const words = new Uint32Array(4);
  for (const [i, c] of doc.philox.entries()) {
    const counter = c.counter.map((h) => parseInt(h, 16));
    const key = c.key.map((h) => parseInt(h, 16));
    compare(`philox[${i}]`, c.output, wordsHex(philox4x32(counter, key, words)), mismatches);
  }
  for (const [i, c] of doc.blocks.entries()) {
    nextBlock(cursorAt(c.seed, c.stream, c.block), words);
    compare(`blocks[${i}]`, c.words, wordsHex(words), mismatches);
  }
  for (const [i, c] of doc.normals.entries()) {
    const out = fillStandardNormal(new Float32Array(c.bits.length), c);
    compare(`normals[${i}]`, c.bits, Array.from(out, float32ToHex), mismatches);
  }
  for (const [i, c] of doc.uniforms.entries()) {
    const out = fillUniform(new Float64Array(c.bits.length), c);
    compare(`uniforms[${i}]`, c.bits, Array.from(out, float64ToHex), mismatches);
  }
  for (const [i, c] of doc.reparameterize.entries()) {
    const z = reparameterize(f32Array(c.mu), f32Array(c.logvar), f32Array(c.eps), { temperature: c.temperature });
    compare(`reparameterize[${i}]`, c.bits, Array.from(z, float32ToHex), mismatches);
  }
  for (const [i, c] of doc.samplePrior.entries()) {
    const z = samplePrior(c.count, c.latentDim, c);
    compare(`samplePrior[${i}]`, c.bits, Array.from(z, float32ToHex), mismatches);
  }
  return mismatches;
}
