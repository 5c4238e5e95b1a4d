/**
 * Hostile SDK calls (issue 10, items 7 and 9): counts past the documented limits, non-finite
 * numbers, shared memory, dispose() during long calls, and the cases that already worked
 * (concurrency, steady memory). A refusal is a VaekitError naming the argument and the limit;
 * memory is the peak RSS of a child process.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fillStandardNormal } from '../../src/sampler/index.js';
import { loadEmbeddedMnist } from '../../src/train/data/mnist-embedded.js';
import { Vae } from '../../src/vae/vae.js';
import { CLI, ROOT, inChild } from './harness.js';

const MODEL = join(ROOT, 'models/mnist-mlp');
/** ⌊2^28 / 784⌋: rows of 28×28×1 results one call may return. */
const MAX_ROWS = 342_392;
let vae: Vae;
let digits: Float32Array; // 8 test digits
let root: string;

/** Elements whose bits differ (vitest's toEqual is slow on millions of floats). */
function differing(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) count++;
  return count;
}

async function refusal(call: Promise<unknown>): Promise<VaekitError> {
  const error = await call.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaekitError);
  return error as VaekitError;
}

/** A child that loads the shipped model as `vae`, then runs `body`. */
function withModel(body: string): string {
  return `
const { Vae } = await import(src('vae/vae.ts'));
const { ortNodeBackend } = await import(src('runtime/ort-node.ts'));
const vae = await Vae.load(${JSON.stringify(MODEL)}, { runtime: ortNodeBackend, device: 'cpu' });
${body}`;
}

beforeAll(async () => {
  vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu' });
  const mnist = await loadEmbeddedMnist();
  digits = mnist.test.x.slice(0, 8 * 784);
  root = await mkdtemp(join(tmpdir(), 'vaekit-hostile-sdk-'));
});

afterAll(async () => {
  await vae.dispose();
  await rm(root, { recursive: true, force: true });
});

describe('counts: each has a documented limit, and large requests run in bounded memory', () => {
  it('sample, interpolate, grid, traverse and decode refuse results over 2^28 floats, naming the argument and the limit', async () => {
    const a = new Float32Array(20);
    const limit = `[1, ${MAX_ROWS}] (each result row holds 784 floats and a result is limited to 2^28 floats)`;
    for (const n of [1e9, 0, -1, 1.5, NaN]) {
      const error = await refusal(vae.sample(n));
      expect(error.code).toBe('invalid-argument');
      expect(error.message).toBe(`'n' must be an integer in ${limit}; found ${n}`);
    }
    expect((await refusal(vae.interpolate(a, a, 1e9))).message).toBe(`'steps' must be an integer in ${limit}; found 1000000000`);
    expect((await refusal(vae.grid([a, a, a, a], 1000, 1000))).message).toMatch(/^'rows × cols' must be at most 342392 .*; found 1000 × 1000 = 1000000$/);
    expect((await refusal(vae.grid([a, a, a, a], 1e9, 1))).message).toMatch(/^'rows' must be an integer in \[1, 342392\]/);
    expect((await refusal(vae.traverse(a, 0, new Float32Array(MAX_ROWS + 1)))).message).toMatch(/^'values' must hold 1 to 342392 numbers .*; found 342393$/);
    expect((await refusal(vae.decode(new Float32Array((MAX_ROWS + 1) * 20)))).message).toMatch(/^'z' must hold at most 342392 latent vectors .*; found 342393$/);
  });

  it('logLikelihood refuses k over 1 000 000 and a batchSize outside [1, 65536]; Vae.load refuses a bad batchSize', async () => {
    const one = digits.subarray(0, 784);
    for (const k of [1e9, 1e6 + 1, 0, 2.5]) {
      const error = await refusal(vae.logLikelihood(one, { k }));
      expect([error.code, error.message]).toEqual(['invalid-argument', `'k' must be an integer in [1, 1000000] (importance samples per example; time grows with k); found ${k}`]);
    }
    for (const batchSize of [0, -1, 1.5, 1e9, NaN]) {
      const error = await refusal(vae.logLikelihood(one, { k: 5, batchSize }));
      expect(error.message).toBe(`'batchSize' must be an integer in [1, 65536] (latent samples decoded per call); found ${batchSize}`);
    }
    for (const batchSize of [0, -1, 1.5]) {
      expect((await refusal(Vae.load(MODEL, { runtime: ortNodeBackend, batchSize }))).message).toMatch(/^'batchSize' must be a positive integer; found/);
    }
    // ε past the end of the stream is refused before any work, not halfway through.
    expect((await refusal(vae.logLikelihood(one, { k: 100, offset: 2 ** 53 - 10 }))).message).toMatch(/^'offset' must be an integer in \[0, 2\^53-2000\] for 2000 values/);
    expect((await refusal(vae.logLikelihood(one, { k: 5, onProgress: 'yes' as never }))).message).toMatch(/^'onProgress' must be a function/);
  });

  it('logLikelihood of one example with k = 200 000 finishes in bounded memory, with progress inside the example', async () => {
    const { result, peakRssMb } = await inChild(
      withModel(`
const start = performance.now();
const progress = [];
const { perExample } = await vae.logLikelihood(new Float32Array(784), { k: 200000, seed: 1, onProgress: (done) => progress.push(done) });
report({ value: perExample[0], seconds: (performance.now() - start) / 1000, calls: progress.length, last: progress.at(-1) });`),
    );
    console.log(`logLikelihood k=200000, 1 example: ${(result['seconds'] as number).toFixed(1)} s, peak RSS ${peakRssMb.toFixed(0)} MB (was 45 s and 4252 MB)`);
    expect(Number.isFinite(result['value'])).toBe(true);
    expect(result).toMatchObject({ calls: 98, last: 200000 }); // ⌈200 000 / 2048⌉ chunks
    expect(peakRssMb).toBeLessThan(400);
  });

  it('memory of logLikelihood does not grow from k = 10 000 to k = 100 000', async () => {
    const peaks: Record<string, number> = {};
    for (const k of [10_000, 100_000]) {
      peaks[`k=${k}`] = (await inChild(withModel(`await vae.logLikelihood(new Float32Array(784), { k: ${k} }); report({});`))).peakRssMb;
    }
    console.log(`logLikelihood peak RSS: k=10000 ${peaks['k=10000']!.toFixed(0)} MB, k=100000 ${peaks['k=100000']!.toFixed(0)} MB`);
    expect(peaks['k=100000']! - peaks['k=10000']!).toBeLessThan(50); // unchunked, k = 100 000 alone needs 313 MB per decoder output
  });

  it('vaekit sample --n 1000000 exits 1 at once with one line naming the flag and the limit, no stack trace', async () => {
    const preload = `data:text/javascript,process.on('exit',()=>process.stderr.write('\\npeak-rss-kb '+process.resourceUsage().maxRSS+'\\n'))`;
    const start = performance.now();
    const run = spawnSync(process.execPath, ['--import', preload, CLI, 'sample', MODEL, '--n', '1000000', '--out', join(root, 's.png')], { encoding: 'utf8' });
    const seconds = (performance.now() - start) / 1000;
    const peakMb = Number(/peak-rss-kb (\d+)/.exec(run.stderr)![1]) / 1024;
    const message = run.stderr.replace(/\npeak-rss-kb \d+\n/, '').replace(/^.*W:onnxruntime.*\n/gm, '').trim();
    console.log(`vaekit sample --n 1000000: exit ${run.status} in ${seconds.toFixed(1)} s, peak RSS ${peakMb.toFixed(0)} MB: ${message}`);
    expect(run.status).toBe(1);
    expect(message).toBe(
      "vaekit: error: --n 1000000 makes a 58002 × 58002-pixel PNG (3364232004 pixels); one PNG holds at most 134217728 pixels (2^27): --n must be at most 39800 for this model's 28×28 images (run again with another --seed for more samples)",
    );
    expect(message).not.toMatch(/\n\s+at /);
    expect(peakMb).toBeLessThan(300);
    expect(await readdir(root)).toEqual([]); // nothing written
    const usage = spawnSync(process.execPath, [CLI, 'eval', MODEL, '--k', '2000000'], { encoding: 'utf8' });
    expect([usage.status, usage.stderr.trim().split('\n').at(-1)]).toEqual([1, 'vaekit: error: --k must be at most 1000000 (importance samples per example; time grows with k); found 2000000']);
  });
});

describe('bad numbers and odd arrays end in a VaekitError', () => {
  it('NaN and ±Infinity in latents, traverse values, temperature and one-hot c are non-finite, naming the argument', async () => {
    const z = new Float32Array(20);
    const bad = z.slice();
    bad[3] = NaN;
    const cases: [Promise<unknown>, RegExp][] = [
      [vae.traverse(z, 0, [NaN, Infinity]), /^'values' must be finite; found NaN at index 0$/],
      [vae.traverse(z, 0, [1, -Infinity]), /^'values' must be finite; found -Infinity at index 1$/],
      [vae.interpolate(bad, z, 3), /^'a' must be finite; found NaN at flat index 3/],
      [vae.interpolate(z, [Infinity, ...z.subarray(1)], 3), /^'b' must be finite; found Infinity at flat index 0/],
      [vae.grid([z, z, bad, z], 2, 2), /^'corners\[2\]' must be finite/],
      [vae.traverse(bad, 0, [1]), /^'z' must be finite/],
      [vae.decode(bad), /^'z' must be finite; found NaN at flat index 3/],
      [vae.sample(2, { temperature: NaN }), /^'temperature' must be finite; found NaN$/],
      [vae.sample(2, { temperature: Infinity }), /^'temperature' must be finite; found Infinity$/],
      [vae.encode(digits, { sample: true, temperature: -Infinity }), /^'temperature' must be finite/],
    ];
    for (const [call, message] of cases) {
      const error = await refusal(call);
      expect([error.code, error.message]).toEqual(['non-finite', expect.stringMatching(message)]);
    }
    // The public latent helpers check too.
    const { traverseLatent, lerp } = await import('../../src/vae/latent.js');
    expect(() => traverseLatent(z, 0, [NaN])).toThrow(/^'values' must be finite/);
    expect(() => lerp(z, z, 1e9)).toThrow(/^'steps' must be an integer in \[1, 13421772\]/);
  });

  it('null options, latents, shapes and short ImageData are VaekitErrors, not a TypeError or NaN', async () => {
    const z = new Float32Array(20);
    const cases: [Promise<unknown>, RegExp][] = [
      [vae.sample(2, null as never), /^'options' must be an object; found null/],
      [vae.interpolate(null as never, z, 3), /^'a' must be one latent vector of 20 numbers/],
      [vae.traverse(z, 0, 5 as never), /^'values' must be an array of numbers; found 5/],
      [vae.grid('abcd' as never, 2, 2), /^'corners' must be 4 latent vectors/],
      [vae.decode(z, { c: null as never }), /^'c' must be omitted/],
      [vae.logLikelihood(digits, null as never), /^'options' must be an object/],
      [vae.encode({ data: digits, shape: null } as never), /^'x.shape' must be an array \[N, 28, 28, 1\]; found null/],
      [vae.encode({ data: new Uint8ClampedArray(4), width: 28, height: 28 }), /^'x.data' must hold 3136 RGBA bytes for 28×28 pixels; found 4/],
    ];
    for (const [call, message] of cases) expect((await refusal(call)).message).toMatch(message);
  });

  it('accepts Float32Arrays on a SharedArrayBuffer (copied per call) with the same results as ordinary ones', async () => {
    const shared = (values: Float32Array) => {
      const out = new Float32Array(new SharedArrayBuffer(values.byteLength));
      out.set(values);
      return out;
    };
    const z = fillStandardNormal(new Float32Array(3 * 20), { seed: 2 });
    expect(differing((await vae.decode(shared(z))).mean.data, (await vae.decode(z)).mean.data)).toBe(0);
    expect(differing((await vae.encode(shared(digits))).mu.data, (await vae.encode(digits)).mu.data)).toBe(0);
    const ll = await vae.logLikelihood(shared(digits.subarray(0, 784)), { k: 50, seed: 1 });
    expect(ll.perExample).toEqual((await vae.logLikelihood(digits.subarray(0, 784), { k: 50, seed: 1 })).perExample);
  });
});

describe('dispose() during calls', () => {
  it('waits for multi-chunk decode, logLikelihood and elbo in flight (they finish normally), then refuses new calls', async () => {
    const temp = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu' });
    const z = fillStandardNormal(new Float32Array(3000 * 20), { seed: 4 }); // 12 decoder calls of 256 rows
    const many = new Float32Array(2100 * 784); // 2 elbo chunks of ≤ 2048 examples
    for (let i = 0; i < 2100; i++) many.set(digits.subarray((i % 8) * 784, (i % 8 + 1) * 784), i * 784);
    const order: string[] = [];
    let disposeCalled = false;
    let progressAfterDispose = 0;
    const calls = [
      temp.decode(z, { meanOnly: true }).finally(() => order.push('decode')),
      temp.logLikelihood(digits.subarray(0, 784), { k: 10_000, seed: 1, onProgress: () => void (disposeCalled && progressAfterDispose++) }).finally(() => order.push('logLikelihood')),
      temp.elbo(many, { seed: 1 }).finally(() => order.push('elbo')),
    ] as const;
    await new Promise((resolve) => setTimeout(resolve, 20));
    disposeCalled = true;
    const disposing = temp.dispose().then(() => order.push('dispose'));
    const late = await refusal(temp.sample(1));
    expect([late.code, late.message]).toEqual(['disposed', "'sample' was called on a disposed Vae (model 'mnist-mlp'); load it again"]);
    const [decoded, ll, elbo] = await Promise.all(calls);
    await disposing;
    expect(order.at(-1)).toBe('dispose');
    expect(progressAfterDispose).toBeGreaterThan(0); // logLikelihood was mid-way when dispose() was called
    expect(differing(decoded.mean.data, (await vae.decode(z, { meanOnly: true })).mean.data)).toBe(0);
    expect(ll.perExample).toEqual((await vae.logLikelihood(digits.subarray(0, 784), { k: 10_000, seed: 1 })).perExample);
    // Across the chunk boundary at example 2048: ε of example i is normal offset + i·J whatever the chunking.
    expect(elbo.perExample.subarray(2040, 2060)).toEqual((await vae.elbo(many.subarray(2040 * 784, 2060 * 784), { seed: 1, offset: 2040 * 20 })).perExample);
    await temp.dispose(); // twice is fine
  });
});

describe('already good, kept so', () => {
  it('2 000 concurrent decodes on one Vae match the same decodes one after another', async () => {
    const z = fillStandardNormal(new Float32Array(2000 * 20), { seed: 6 });
    const row = (i: number) => z.subarray(i * 20, (i + 1) * 20);
    const concurrent = await Promise.all(Array.from({ length: 2000 }, (_, i) => vae.decode(row(i), { meanOnly: true })));
    let mismatched = 0;
    for (let i = 0; i < 2000; i++) mismatched += differing(concurrent[i]!.mean.data, (await vae.decode(row(i), { meanOnly: true })).mean.data);
    expect(mismatched).toBe(0);
  });

  it('5 000 decodes keep RSS within a few MB after warm-up', async () => {
    const { result } = await inChild(
      withModel(`
(await import('node:v8')).setFlagsFromString('--expose-gc');
const gc = (await import('node:vm')).runInNewContext('gc');
const z = new Float32Array(20);
const rss = () => { gc(); return process.memoryUsage().rss / 2 ** 20; };
for (let i = 0; i < 1000; i++) await vae.decode(z);
const before = rss();
for (let i = 0; i < 5000; i++) await vae.decode(z);
report({ before, after: rss() });`),
    );
    const growth = (result['after'] as number) - (result['before'] as number);
    console.log(`5000 decodes after warm-up: RSS ${(result['before'] as number).toFixed(1)} → ${(result['after'] as number).toFixed(1)} MB`);
    expect(growth).toBeLessThan(8);
  });
});
