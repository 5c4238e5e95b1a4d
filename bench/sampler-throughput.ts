/**
 * Rough throughput of the sampler's hot paths (not a test): `npx tsx bench/sampler-throughput.ts`.
 */
import { NormalSampler, fillStandardNormal, fillUniform, reparameterize } from '../src/sampler/index.js';

function rate(label: string, perCall: number, run: () => void): void {
  for (let i = 0; i < 20; i++) run(); // warm up the JIT
  let calls = 0;
  const start = performance.now();
  while (performance.now() - start < 1000) {
    run();
    calls++;
  }
  const seconds = (performance.now() - start) / 1000;
  console.log(`${label}: ${((calls * perCall) / seconds / 1e6).toFixed(1)} M values/s`);
}

const big = new Float32Array(1 << 20);
rate('fillStandardNormal, 1M per call', big.length, () => fillStandardNormal(big, { seed: 1, stream: 0 }));
const batch = new Float32Array(2560);
const sampler = new NormalSampler({ seed: 1, stream: 0 });
rate('NormalSampler.fill, 2 560 per call (one training batch)', batch.length, () => sampler.fill(batch));
const uniforms = new Float64Array(1 << 20);
rate('fillUniform, 1M per call', uniforms.length, () => fillUniform(uniforms, { seed: 1, stream: 1 }));
const mu = fillStandardNormal(new Float32Array(1 << 20), { seed: 2 });
const logvar = fillStandardNormal(new Float32Array(1 << 20), { seed: 3 });
const z = new Float32Array(1 << 20);
rate('reparameterize, 1M per call', z.length, () => reparameterize(mu, logvar, big, { out: z }));
