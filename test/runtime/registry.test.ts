import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { docExamples, runDocExample } from '../helpers/doc-examples.js';
import type { VaekitError } from '../../src/errors.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));

// Every test imports the entries and the registry afresh: each starts with no default runtime,
// as a program does.
beforeEach(() => {
  vi.resetModules();
});

/** The VaekitError `fn` throws (a fresh module graph has its own VaekitError class: checked by name). */
function thrown(fn: () => unknown): VaekitError {
  try {
    fn();
  } catch (e) {
    expect((e as Error).name).toBe('VaekitError');
    return e as VaekitError;
  }
  throw new Error('expected a throw');
}

const nodeEntry = () => import('../../src/node.js');
const webEntry = () => import('../../src/web.js');
const registry = () => import('../../src/runtime/registry.js');

describe('setDefaultRuntime', () => {
  it("refuses to replace the entry's runtime without { override: true }, naming both and the fix", async () => {
    const { ortNodeBackend } = await nodeEntry();
    const { getDefaultRuntime, setDefaultRuntime } = await registry();
    const other = { ...ortNodeBackend, name: 'my-runtime' };
    const e = thrown(() => setDefaultRuntime(other));
    expect(e.code).toBe('invalid-argument');
    expect(e.message).toBe(
      "'runtime' 'my-runtime' would replace the default runtime 'onnxruntime-node' (registered by vaekit's package entry); " +
        'pass { override: true } to replace it, or pass { runtime } to Vae.load to use it for one model',
    );
    expect(getDefaultRuntime()).toBe(ortNodeBackend);
  });

  it('replaces it with { override: true }; a later replacement of that one is refused again', async () => {
    const { ortNodeBackend } = await nodeEntry();
    const { getDefaultRuntime, setDefaultRuntime } = await registry();
    const mine = { ...ortNodeBackend, name: 'mine' };
    const theirs = { ...ortNodeBackend, name: 'theirs' };
    setDefaultRuntime(mine, { override: true });
    expect(getDefaultRuntime()).toBe(mine);
    const e = thrown(() => setDefaultRuntime(theirs));
    expect(e.message).toMatch(/^'runtime' 'theirs' would replace the default runtime 'mine' \(set by an earlier setDefaultRuntime call\); pass \{ override: true \}/);
    expect(getDefaultRuntime()).toBe(mine);
    setDefaultRuntime(theirs, { override: true });
    expect(getDefaultRuntime()).toBe(theirs);
  });

  it('accepts the same runtime again, and a first runtime when none is set', async () => {
    const { ortNodeBackend } = await nodeEntry();
    const { getDefaultRuntime, setDefaultRuntime } = await registry();
    setDefaultRuntime(ortNodeBackend);
    setDefaultRuntime(ortNodeBackend);
    expect(getDefaultRuntime()).toBe(ortNodeBackend);

    vi.resetModules();
    const fresh = await registry();
    expect(thrown(() => fresh.getDefaultRuntime()).code).toBe('backend-unavailable');
    const mine = { ...ortNodeBackend, name: 'mine' };
    fresh.setDefaultRuntime(mine);
    expect(fresh.getDefaultRuntime()).toBe(mine);
  });

  it('checks its arguments', async () => {
    const { ortNodeBackend } = await nodeEntry();
    const { setDefaultRuntime } = await registry();
    expect(thrown(() => setDefaultRuntime(null as never)).message).toMatch(/^'runtime' must be a RuntimeBackend .*found null/);
    expect(thrown(() => setDefaultRuntime({ name: 'x' } as never)).message).toMatch(/^'runtime' must be a RuntimeBackend .*found object/);
    expect(thrown(() => setDefaultRuntime(ortNodeBackend, { override: 'yes' } as never)).message).toBe(`'override' must be a boolean; found "yes"`);
    expect(thrown(() => setDefaultRuntime(ortNodeBackend, 1 as never)).message).toMatch(/^'options' must be an object .*found 1/);
  });

  it('runs its @example as written', async () => {
    const [example] = docExamples(new URL('../../src/runtime/registry.ts', import.meta.url));
    const vaekit = await nodeEntry();
    await runDocExample(example!, { vaekit });
    expect((await registry()).getDefaultRuntime().name).toBe('my-onnxruntime-node');
  });
});

describe('the package entries register their runtime once', () => {
  it('the Node entry sets onnxruntime-node, and Vae.load uses it without { runtime }', async () => {
    const { Vae, ortNodeBackend } = await nodeEntry();
    expect((await registry()).getDefaultRuntime()).toBe(ortNodeBackend);
    const vae = await Vae.load(MODEL, { device: 'cpu' });
    expect(vae.provider).toEqual({ encoder: 'cpu', decoder: 'cpu' });
    expect((await vae.sample(2, { seed: 1 })).mean.shape).toEqual([2, 28, 28, 1]);
    await vae.dispose();
  });

  it('importing both entries keeps the first one’s runtime and throws nothing (either order)', async () => {
    const { ortNodeBackend } = await nodeEntry();
    await webEntry();
    expect((await registry()).getDefaultRuntime()).toBe(ortNodeBackend);

    vi.resetModules();
    const { ortWebBackend } = await webEntry();
    await nodeEntry();
    expect((await registry()).getDefaultRuntime()).toBe(ortWebBackend);
  });

  it('an entry imported after setDefaultRuntime keeps the caller’s runtime', async () => {
    const { setDefaultRuntime, getDefaultRuntime } = await registry();
    const { ortNodeBackend } = await import('../../src/runtime/ort-node.js');
    const mine = { ...ortNodeBackend, name: 'mine' };
    setDefaultRuntime(mine);
    await nodeEntry();
    expect(getDefaultRuntime()).toBe(mine);
  });
});
