import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { VaekitError } from '../../src/errors.js';
import { type GraphRole, parseManifest, verifyGraphIntegrity } from '../../src/manifest/index.js';
import { MNIST_FOLDER, MNIST_TEXT, PYTORCH_FOLDER, PYTORCH_TEXT, edited } from './manifests.js';

const mnist = parseManifest(MNIST_TEXT);
const pytorch = parseManifest(PYTORCH_TEXT);
const roles: GraphRole[] = ['encoder', 'decoder'];

async function mismatch(promise: Promise<void>): Promise<VaekitError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaekitError);
  expect((error as VaekitError).code).toBe('integrity-mismatch');
  return error as VaekitError;
}

describe('verifyGraphIntegrity', () => {
  it.each(roles)('accepts the shipped mnist-mlp %s', async (role) => {
    await expect(verifyGraphIntegrity(mnist, role, await readFile(`${MNIST_FOLDER}${mnist.graphs[role].file}`))).resolves.toBeUndefined();
  });

  it.each(roles)('accepts the PyTorch fixture %s: its graphs match the hand-written hashes', async (role) => {
    await expect(verifyGraphIntegrity(pytorch, role, await readFile(`${PYTORCH_FOLDER}${pytorch.graphs[role].file}`))).resolves.toBeUndefined();
  });

  it('refuses a graph with one flipped byte, naming the file and both hashes', async () => {
    const bytes = new Uint8Array(await readFile(`${MNIST_FOLDER}decoder.onnx`));
    bytes[bytes.length >> 1]! ^= 0x01;
    const error = await mismatch(verifyGraphIntegrity(mnist, 'decoder', bytes));
    expect(error.message).toMatch(
      /^decoder graph decoder\.onnx SHA-256 expected d3668fe911cd5665cbfbd792013fff5b4d611445c69c74a78588948f3bfb4918, found [0-9a-f]{64} \(1292074 bytes\): the file is not the one vaekit\.json describes/,
    );
  });

  it('reports a truncated graph as a size mismatch first, then the hashes', async () => {
    const bytes = (await readFile(`${MNIST_FOLDER}encoder.onnx`)).subarray(0, 65536);
    const error = await mismatch(verifyGraphIntegrity(mnist, 'encoder', bytes));
    expect(error.message).toMatch(
      /^encoder graph encoder\.onnx is 65536 bytes, the manifest says 1321053 \(shorter: an interrupted download\?\): the file is not the one vaekit\.json describes/,
    );
  });

  it('refuses the right bytes under the wrong role (encoder bytes checked as the decoder)', async () => {
    const error = await mismatch(verifyGraphIntegrity(pytorch, 'decoder', await readFile(`${PYTORCH_FOLDER}encoder.onnx`)));
    expect(error.message).toMatch(/^decoder graph decoder\.onnx is 205833 bytes, the manifest says 206702 \(shorter: an interrupted download\?\): /);
  });

  it('compares only the hash when a manifest-like object has no bytes', async () => {
    const noSize = edited((m) => delete m.graphs.encoder.bytes, PYTORCH_TEXT) as Parameters<typeof verifyGraphIntegrity>[0];
    const bytes = await readFile(`${PYTORCH_FOLDER}encoder.onnx`);
    await expect(verifyGraphIntegrity(noSize, 'encoder', bytes)).resolves.toBeUndefined();
    const error = await mismatch(verifyGraphIntegrity(noSize, 'encoder', bytes.subarray(1)));
    expect(error.message).toMatch(/^encoder graph encoder\.onnx SHA-256 expected 5ad149fe[0-9a-f]{56}, found [0-9a-f]{64} \(205832 bytes\)/);
  });

  it('refuses arguments that are not a graph role and bytes', async () => {
    const bytes = await readFile(`${PYTORCH_FOLDER}encoder.onnx`);
    await expect(verifyGraphIntegrity(pytorch, 'prior' as GraphRole, bytes)).rejects.toMatchObject({ code: 'invalid-argument', message: `'graph' must be "encoder" or "decoder"; found "prior"` });
    await expect(verifyGraphIntegrity(pytorch, 'encoder', bytes.buffer as unknown as Uint8Array)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
