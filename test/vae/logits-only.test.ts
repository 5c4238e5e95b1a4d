/**
 * A bernoulli decoder with logits only (PyTorch trained with BCEWithLogitsLoss): the SDK derives
 * mean = sigmoid(logits) for every method that returns the mean, and scores from the logits.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSession, RuntimeBackend } from '../../src/runtime/backend.js';
import { sigmoid } from '../../src/vae/sigmoid.js';
import { Vae } from '../../src/vae/vae.js';
import { RUNTIMES, everyMethod, examples, expectSameNumbers } from './every-method.js';
import { D, tinyModel } from './tiny-models.js';

describe('sigmoid', () => {
  it('is the float32 logistic function, without overflow at either end', () => {
    const logits = Float32Array.from([-1000, -100, -20, -1, 0, 1e-8, 1, 20, 100, 1000]);
    const p = sigmoid(logits);
    logits.forEach((l, i) => expect(p[i]).toBe(Math.fround(1 / (1 + Math.exp(-l)))));
    expect(p[1]).toBeGreaterThan(0); // sigmoid(−100) ≈ 3.7e-44: a subnormal float32, not 0
    expect(Array.from(p).every(Number.isFinite)).toBe(true);
  });
});

/** The runtime, recording the output names each decoder run asks for. */
function recording(runtime: RuntimeBackend, asked: (readonly string[] | undefined)[]): RuntimeBackend {
  return {
    ...runtime,
    createSession: async (model, options) => {
      const session = await runtime.createSession(model, options);
      const run: GraphSession['run'] = (feeds, outputs) => {
        if ('z' in feeds) asked.push(outputs);
        return session.run(feeds, outputs);
      };
      return Object.assign(Object.create(session) as GraphSession, { run });
    },
  };
}

describe.each(RUNTIMES)('a logits-only decoder on %s', (_name, runtime) => {
  let both: Vae;
  let logitsOnly: Vae;
  const asked: (readonly string[] | undefined)[] = [];

  beforeAll(async () => {
    both = await Vae.load(await tinyModel({ decoderOutputs: 'both' }), { runtime, device: 'cpu' });
    logitsOnly = await Vae.load(await tinyModel({ decoderOutputs: 'logits' }), { runtime: recording(runtime, asked), device: 'cpu' });
  });

  afterAll(async () => {
    await Promise.all([both.dispose(), logitsOnly.dispose()]);
  });

  it('says the mean is derived', () => {
    expect(logitsOnly.info.derivedMean).toBe(true);
    expect(both.info.derivedMean).toBe(false);
  });

  it('gives every method the numbers of the model that outputs both (its sigmoid is ONNX Runtime’s)', async () => {
    const x = examples(6, D);
    expectSameNumbers(await everyMethod(logitsOnly, x, 6), await everyMethod(both, x, 6), 1e-6);
  });

  it('derives each mean as exactly sigmoid(logits), and keeps the logits', async () => {
    const { z, mean, logits } = await logitsOnly.sample(4, { seed: 9 });
    expect(mean.shape).toEqual(logits!.shape);
    expect(mean.data).toEqual(sigmoid(logits!.data));
    const again = await logitsOnly.decode(z, { meanOnly: true });
    expect(again.logits).toBeUndefined();
    expect(again.mean.data).toEqual(mean.data);
  });

  it('scores from the logits: the decoder is asked for logits only, as for a model with both', async () => {
    asked.length = 0;
    const x = examples(3, D);
    const [a, b] = [await logitsOnly.elbo(x, { seed: 1 }), await both.elbo(x, { seed: 1 })];
    expect(a.perExample).toEqual(b.perExample);
    await logitsOnly.logLikelihood(x, { k: 4 });
    expect(asked.length).toBeGreaterThan(0);
    for (const outputs of asked) expect(outputs).toEqual(['logits']);
  });
});
