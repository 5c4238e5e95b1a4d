import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatedSource } from '../../scripts/generate-likelihood-graphs.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fillStandardNormal, fillUniform } from '../../src/sampler/index.js';
import { LikelihoodScorer } from '../../src/vae/likelihood-scorer.js';

const N = 3;
const K = 4;
const D = 50;
const x = Float32Array.from(fillUniform(new Float64Array(N * D), { seed: 1 }), (u) => (u < 0.3 ? 0 : u)); // real-ish pixels, many exact zeros
const raw = fillStandardNormal(new Float32Array(N * K * D), { seed: 2 });

function reference(perFeature: (xv: number, i: number) => number): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let d = 0; d < D; d++) s += perFeature(x[n * D + d]!, (n * K + k) * D + d);
      out.push(s);
    }
  }
  return out;
}

async function scores(likelihood: Parameters<typeof LikelihoodScorer.create>[1], outputs: string[], decoded: Record<string, Float32Array>) {
  const scorer = await LikelihoodScorer.create(ortNodeBackend, likelihood, outputs, { device: 'cpu' });
  const ll = await scorer.score(x, decoded, N, K);
  await scorer.release();
  return Array.from(ll);
}

const close = (a: number[], b: number[], tol: number) => a.forEach((v, i) => expect(Math.abs(v - b[i]!), `index ${i}`).toBeLessThan(tol));

describe('likelihood graphs', () => {
  it('are the bytes export/likelihood-graphs.ts builds (run `npm run generate` after changing it)', () => {
    const committed = readFileSync(fileURLToPath(new URL('../../src/vae/likelihood-graphs.generated.ts', import.meta.url)), 'utf8');
    expect(committed).toBe(generatedSource());
  });

  it('bernoulli from logits: Σ x·log σ(ℓ) + (1−x)·log(1−σ(ℓ)), stable for logits of ±60', async () => {
    const logits = raw.map((v, i) => (i % 17 === 0 ? v * 60 : v * 4));
    const expected = reference((xv, i) => {
      const l = logits[i]!;
      return -(Math.max(l, 0) - l * xv + Math.log1p(Math.exp(-Math.abs(l))));
    });
    close(await scores({ kind: 'bernoulli' }, ['logits', 'mean'], { logits }), expected, 1e-3);
  });

  it('bernoulli from the mean only (a model exported elsewhere), logs floored at −100', async () => {
    const mean = raw.map((v) => 1 / (1 + Math.exp(-3 * v)));
    const expected = reference((xv, i) => {
      const p = mean[i]!;
      return xv * Math.max(Math.log(p), -100) + (1 - xv) * Math.max(Math.log(1 - p), -100);
    });
    close(await scores({ kind: 'bernoulli' }, ['mean'], { mean }), expected, 1e-3);
  });

  it('gaussian with σ and gaussian with learned variance', async () => {
    const mean = raw.map((v) => 0.5 + 0.2 * v);
    const sigma = 0.3;
    const fixed = reference((xv, i) => -((xv - mean[i]!) ** 2) / (2 * sigma * sigma) - Math.log(sigma * Math.sqrt(2 * Math.PI)));
    close(await scores({ kind: 'gaussian', sigma }, ['mean'], { mean }), fixed, 1e-3);
    const logvarX = raw.map((v) => -2 + 0.5 * v);
    const learned = reference((xv, i) => -0.5 * (logvarX[i]! + (xv - mean[i]!) ** 2 * Math.exp(-logvarX[i]!) + Math.log(2 * Math.PI)));
    close(await scores({ kind: 'gaussian-learned' }, ['mean', 'logvar_x'], { mean, logvar_x: logvarX }), learned, 1e-3);
  });
});
