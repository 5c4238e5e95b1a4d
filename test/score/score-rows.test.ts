import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae, scoreRows, type RowScore } from '../../src/node.js';
import { readScoreChunks } from '../../src/score/read-chunks.js';
import { scoreChunk } from '../../src/score/score-chunk.js';
import { rowScores } from '../../src/score/score-rows.js';
import { rejected } from '../helpers/thrown.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
const CVAE = fileURLToPath(new URL('../fixtures/models/conv-cvae', import.meta.url));
let vae: Vae;

beforeAll(async () => {
  vae = await Vae.load(MODEL, { device: 'cpu' });
});
afterAll(async () => {
  await vae.dispose();
});

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('scoreRows', () => {
  it('gives, row by row, what scoreChunk gives on the same chunks of the same rows', async () => {
    const chunks = await all(readScoreChunks(vae.manifest, 'mnist', { split: 'test', maxRows: 45 }, 20));
    const settings = { k: 16, seed: 3 };
    const expected: RowScore[] = [];
    for (const chunk of chunks) expected.push(...rowScores(await scoreChunk(vae, chunk, settings)));

    // An async generator of single rows, each with its label.
    async function* rows() {
      for (const chunk of chunks) {
        for (let i = 0; i < chunk.count; i++) yield { x: chunk.x.subarray(i * 784, (i + 1) * 784), label: chunk.labels![i]! };
      }
    }
    const got = await all(scoreRows(vae, rows(), { ...settings, chunkRows: 20 }));
    expect(got).toEqual(expected);
    expect(got.map((s) => s.index)).toEqual(Array.from({ length: 45 }, (_, i) => i));
    expect(got[0]!.label).toBe(chunks[0]!.labels![0]);
    for (const s of got) {
      expect(s.negElbo).toBeCloseTo(s.recon + s.kl, 9);
      expect(Number.isFinite(s.nll)).toBe(true);
    }

    // Plain arrays of values work too: unlabelled rows of an unconditional model score the same.
    const plain = await all(scoreRows(vae, chunks.flatMap((c) => Array.from({ length: c.count }, (_, i) => Array.from(c.x.subarray(i * 784, (i + 1) * 784)))), { ...settings, chunkRows: 20 }));
    expect(plain.map((s) => s.nll)).toEqual(expected.map((s) => s.nll));
    expect(plain[0]!.label).toBeNull();
  });

  it('refuses rows of another size, mixed labelling, and unlabelled rows for a conditional model', async () => {
    const short = await rejected(all(scoreRows(vae, [new Float32Array(784), new Float32Array(10)], { k: 2 })));
    expect([short.code, short.message]).toEqual(['shape-mismatch', "row 1 holds 10 values; model 'mnist-mlp' takes 784 (input shape [28, 28, 1])"]);
    const mixed = await rejected(all(scoreRows(vae, [{ x: new Float32Array(784), label: 1 }, new Float32Array(784)], { k: 2 })));
    expect(mixed.message).toContain('row 1 has no label but row 0 has one');
    const cvae = await Vae.load(CVAE, { device: 'cpu' });
    try {
      const error = await rejected(all(scoreRows(cvae, [new Float32Array(784)], { k: 2 })));
      expect(error.code).toBe('condition-mismatch');
    } finally {
      await cvae.dispose();
    }
  });
});
