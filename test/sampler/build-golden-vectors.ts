/**
 * Builds test/sampler/golden-vectors.json from the current implementation. Run it only when the
 * sampler's output is meant to change (that breaks every stored seed, so say so loudly):
 *   npx tsx test/sampler/build-golden-vectors.ts
 * The file documents its own structure; see also src/sampler/golden.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  fillStandardNormal,
  fillUniform,
  float32ToHex,
  float64ToHex,
  philox4x32,
  reparameterize,
  samplePrior,
  type GoldenVectors,
} from '../../src/sampler/index.js';

export const SEEDS = [0, 1, 42, 2 ** 32 + 5, 2 ** 53 - 1];
export const STREAMS = [0, 1, 7];
export const OFFSETS = [0, 1, 3, 1000, 2 ** 40];

const KAT = [
  ['00000000 00000000 00000000 00000000', '00000000 00000000'],
  ['ffffffff ffffffff ffffffff ffffffff', 'ffffffff ffffffff'],
  ['243f6a88 85a308d3 13198a2e 03707344', 'a4093822 299f31d0'],
];

const hexWords = (words: Uint32Array): string[] => Array.from(words, (w) => w.toString(16).padStart(8, '0'));
const f32 = (values: number[]): Float32Array => Float32Array.from(values);
const bits32 = (values: Float32Array): string[] => Array.from(values, float32ToHex);

export function buildGoldenVectors(): GoldenVectors {
  const streamCases = SEEDS.flatMap((seed) => STREAMS.flatMap((stream) => OFFSETS.map((offset) => ({ seed, stream, offset }))));
  const normal = (n: number, seed: number, stream = 0, offset = 0): Float32Array =>
    fillStandardNormal(new Float32Array(n), { seed, stream, offset });
  const reparameterizeCases = [
    { mu: normal(8, 1000), logvar: Float32Array.from(normal(8, 1001), (v) => 2 * v), eps: normal(8, 0), temperature: 1 },
    { mu: normal(8, 1000), logvar: Float32Array.from(normal(8, 1001), (v) => 2 * v), eps: normal(8, 0), temperature: 0.8 },
    {
      mu: f32([0, -0, 1, -1, 100, 1e-3, 3, -2.5]),
      logvar: f32([-20, -5, -1, 0, 1, 5, 20, 0.5]),
      eps: normal(8, 42, 7, 1000),
      temperature: 1.5,
    },
    { mu: normal(8, 7, 1), logvar: normal(8, 7, 2), eps: normal(8, 7, 3), temperature: 0.5 },
  ];
  const priorCases = [
    { count: 2, latentDim: 4, seed: 42, stream: 4, offset: 0, temperature: 1 },
    { count: 3, latentDim: 2, seed: 2 ** 53 - 1, stream: 7, offset: 2 ** 40, temperature: 0.7 },
    { count: 1, latentDim: 8, seed: 1, stream: 0, offset: 3, temperature: 1.3 },
  ];
  return {
    format: 'vaekit-sampler-golden/1',
    about: {
      purpose:
        'Bit-exact outputs of the shared sampler (src/sampler). Every runtime (Node, the tfjs trainer, Chromium) must reproduce them exactly; checkGoldenVectors(doc) lists differences.',
      encoding:
        "'bits' and the hex words are big-endian bit patterns: 8 hex digits for float32/uint32, 16 for float64. 'values' repeat them in decimal for reading only. Seeds are JSON numbers up to 2^53-1.",
      layout:
        'key = [seed mod 2^32, floor(seed / 2^32)]; Philox4x32-10 block b of a stream has counter [b mod 2^32, floor(b / 2^32), stream, 0]. Uniform 2b = (2k+1)/2^53 with k = words[0] + 2^32*(words[1] >>> 12); uniform 2b+1 likewise from words[2], words[3]. Normal 2b = r*cos(2*pi*U[2b+1]), normal 2b+1 = r*sin(2*pi*U[2b+1]), r = sqrt(-2*log(U[2b])), rounded to float32.',
      philox: 'Random123 known answers for philox4x32 with 10 rounds: counter[4], key[2] -> output[4].',
      blocks: 'Raw Philox blocks of a stream: words of block `block` for (seed, stream).',
      normals: 'fillStandardNormal(new Float32Array(8), { seed, stream, offset }).',
      uniforms: 'fillUniform(new Float64Array(4), { seed, stream, offset }).',
      reparameterize: 'reparameterize(mu, logvar, eps, { temperature }) with float32 inputs given as bits.',
      samplePrior: 'samplePrior(count, latentDim, { seed, stream, offset, temperature }), row-major [count, latentDim].',
      regenerate: 'npx tsx test/sampler/build-golden-vectors.ts (only when the stream is meant to change).',
    },
    philox: KAT.map(([counter, key]) => {
      const c = counter!.split(' ');
      const k = key!.split(' ');
      const out = philox4x32(c.map((h) => parseInt(h, 16)), k.map((h) => parseInt(h, 16)), new Uint32Array(4));
      return { counter: c, key: k, output: hexWords(out) };
    }),
    blocks: [
      { seed: 0, stream: 0, block: 0 },
      { seed: 42, stream: 7, block: 500 },
      { seed: 2 ** 32 + 5, stream: 1, block: 2 ** 32 + 1 },
      { seed: 2 ** 53 - 1, stream: 0xffffffff, block: 2 ** 52 - 1 },
    ].map(({ seed, stream, block }) => {
      const key = [seed % 2 ** 32, Math.floor(seed / 2 ** 32)];
      const counter = [block % 2 ** 32, Math.floor(block / 2 ** 32), stream, 0];
      return { seed, stream, block, words: hexWords(philox4x32(counter, key, new Uint32Array(4))) };
    }),
    normals: streamCases.map((c) => {
      const values = normal(8, c.seed, c.stream, c.offset);
      return { ...c, bits: bits32(values), values: Array.from(values) };
    }),
    uniforms: streamCases.map((c) => {
      const values = fillUniform(new Float64Array(4), c);
      return { ...c, bits: Array.from(values, float64ToHex), values: Array.from(values) };
    }),
    reparameterize: reparameterizeCases.map(({ mu, logvar, eps, temperature }) => {
      const z = reparameterize(mu, logvar, eps, { temperature });
      return { mu: bits32(mu), logvar: bits32(logvar), eps: bits32(eps), temperature, bits: bits32(z), values: Array.from(z) };
    }),
    samplePrior: priorCases.map((c) => {
      const z = samplePrior(c.count, c.latentDim, c);
      return { ...c, bits: bits32(z), values: Array.from(z) };
    }),
  };
}

/** One case per line inside the arrays keeps the file reviewable in diffs. */
export function formatGoldenVectors(doc: object): string {
  const lines = ['{'];
  const entries = Object.entries(doc);
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (Array.isArray(value)) {
      lines.push(`  ${JSON.stringify(key)}: [`);
      value.forEach((item, j) => lines.push(`    ${JSON.stringify(item)}${j < value.length - 1 ? ',' : ''}`));
      lines.push(`  ]${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value, null, 2).replace(/\n/g, '\n  ')}${comma}`);
    }
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const target = fileURLToPath(new URL('./golden-vectors.json', import.meta.url));
  writeFileSync(target, formatGoldenVectors(buildGoldenVectors()));
  console.log(`wrote ${target}`);
}
