/**
 * Graph outputs the manifest does not name (a Keras encoder's third output `z`) are ignored: the
 * load accepts them, no run fetches them, and the numbers are the plain model's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GraphSession, RuntimeBackend } from '../../src/runtime/backend.js';
import { Vae } from '../../src/vae/vae.js';
import { RUNTIMES, everyMethod, examples, expectSameNumbers } from './every-method.js';
import { D, tinyModel } from './tiny-models.js';

/** The runtime, recording the output names every run asks for and the outputs it returns. */
function recording(runtime: RuntimeBackend, runs: { asked: string[] | undefined; returned: string[] }[]): RuntimeBackend {
  return {
    ...runtime,
    createSession: async (model, options) => {
      const session = await runtime.createSession(model, options);
      const run: GraphSession['run'] = async (feeds, outputs) => {
        const result = await session.run(feeds, outputs);
        // The encoder's runs (the likelihood scorer's graph takes an `x` too, beside the decoder output).
        if ('x' in feeds && Object.keys(feeds).length === 1) runs.push({ asked: outputs && [...outputs], returned: Object.keys(result) });
        return result;
      };
      return Object.assign(Object.create(session) as GraphSession, { run });
    },
  };
}

describe.each(RUNTIMES)('an encoder with an extra output on %s', (_name, runtime) => {
  let plain: Vae;
  let extra: Vae;
  const runs: { asked: string[] | undefined; returned: string[] }[] = [];

  beforeAll(async () => {
    plain = await Vae.load(await tinyModel(), { runtime, device: 'cpu' });
    extra = await Vae.load(await tinyModel({ extraOutput: true }), { runtime: recording(runtime, runs), device: 'cpu' });
  });

  afterAll(async () => {
    await Promise.all([plain.dispose(), extra.dispose()]);
  });

  it('loads, and gives every method the plain model’s numbers', async () => {
    const x = examples(4, D);
    expectSameNumbers(await everyMethod(extra, x, 4), await everyMethod(plain, x, 4), 0);
  });

  it('never fetches the output the manifest does not name', async () => {
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(run.asked).toEqual(['mu', 'logvar']);
      expect(run.returned.sort()).toEqual(['logvar', 'mu']);
    }
  });
});
