import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fillStandardNormal } from '../../src/sampler/index.js';

const DECODER = fileURLToPath(new URL('../../models/mnist-mlp/decoder.onnx', import.meta.url));

describe('OrtSession', () => {
  it('release() waits for a run in progress (onnxruntime alone fails it with "Session already disposed."), then refuses runs', async () => {
    const session = await ortNodeBackend.createSession(new Uint8Array(await readFile(DECODER)), { device: 'cpu' });
    const feeds = { [session.inputNames[0]!]: { data: fillStandardNormal(new Float32Array(4096 * 20), { seed: 1 }), dims: [4096, 20] } };
    const running = session.run(feeds);
    const released = session.release();
    const out = await running;
    expect(Object.values(out)[0]!.dims).toEqual([4096, 28, 28, 1]);
    await released;
    const late = await session.run(feeds).then(() => null, (e: unknown) => e);
    expect(late).toBeInstanceOf(VaekitError);
    expect((late as VaekitError).code).toBe('disposed');
  });

  it('runs Float32Arrays on a SharedArrayBuffer (copied) like ordinary ones', async () => {
    const session = await ortNodeBackend.createSession(new Uint8Array(await readFile(DECODER)), { device: 'cpu' });
    const z = fillStandardNormal(new Float32Array(2 * 20), { seed: 2 });
    const shared = new Float32Array(new SharedArrayBuffer(z.byteLength));
    shared.set(z);
    const name = session.inputNames[0]!;
    const a = await session.run({ [name]: { data: shared, dims: [2, 20] } });
    const b = await session.run({ [name]: { data: z, dims: [2, 20] } });
    expect(Object.values(a)[0]!.data).toEqual(Object.values(b)[0]!.data);
    await session.release();
  });
});
