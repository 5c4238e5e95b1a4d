/**
 * Hostile model folders: what a model downloaded from the internet could hold. Each case asserts
 * the error code, that the folder is byte-identical afterwards, and — where memory or time is what
 * the attack goes after — the peak RSS of a child process that loads it.
 */
import { execFileSync } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onnx } from '../../export/onnx.js';
import { sha256Hex } from '../../src/manifest/index.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { ortWebBackend } from '../../src/runtime/ort-web.js';
import { Vae } from '../../src/vae/vae.js';
import { rejected } from '../helpers/thrown.js';
import { ROOT, fingerprint, inChild } from './harness.js';

const MODEL = join(ROOT, 'models/mnist-mlp');
type Json = Record<string, any>;
let root: string;
let count = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'vaekit-hostile-model-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A fresh copy of the shipped model folder. */
async function modelCopy(): Promise<string> {
  const dir = join(root, `m${count++}`);
  await execFileSync('mkdir', ['-p', dir]);
  for (const file of ['vaekit.json', 'encoder.onnx', 'decoder.onnx']) await copyFile(join(MODEL, file), join(dir, file));
  return dir;
}

async function editManifest(dir: string, edit: (m: Json) => void): Promise<void> {
  const m = JSON.parse(await readFile(join(dir, 'vaekit.json'), 'utf8')) as Json;
  edit(m);
  await writeFile(join(dir, 'vaekit.json'), JSON.stringify(m));
}

/** Replaces a graph and records its genuine size and SHA-256: the integrity check passes. */
async function replaceGraph(dir: string, role: 'encoder' | 'decoder', bytes: Uint8Array): Promise<void> {
  await writeFile(join(dir, `${role}.onnx`), bytes);
  const sha256 = await sha256Hex(bytes);
  await editManifest(dir, (m) => Object.assign(m.graphs[role], { sha256, bytes: bytes.length }));
}

/** Loads `dir` in this process and returns the VaekitError, checking the folder is untouched. */
async function refusal(dir: string) {
  const before = await fingerprint(dir);
  const error = await rejected(Vae.load(dir, { runtime: ortNodeBackend, device: 'cpu' }));
  expect(await fingerprint(dir)).toEqual(before);
  return error;
}

/** The shipped decoder with its first weight moved to an external file named `location`. */
async function decoderWithExternalData(location: string): Promise<Uint8Array> {
  const model = onnx.ModelProto.decode(await readFile(join(MODEL, 'decoder.onnx')));
  const weight = model.graph!.initializer![0]!;
  const length = weight.rawData!.length;
  weight.rawData = new Uint8Array(0);
  weight.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
  weight.externalData = [
    { key: 'location', value: location },
    { key: 'offset', value: '0' },
    { key: 'length', value: String(length) },
  ];
  return onnx.ModelProto.encode(model).finish();
}

/** Loads `dir` in a child process: its error and peak RSS (printed: the README's Safety table quotes it). */
async function loadInChild(dir: string, timeoutMs = 60_000) {
  const started = performance.now();
  const outcome = await inChild(
    `const { Vae } = await import(src('vae/vae.ts'));
     const { ortNodeBackend } = await import(src('runtime/ort-node.ts'));
     await Vae.load(${JSON.stringify(dir)}, { runtime: ortNodeBackend, device: 'cpu' });
     report({ loaded: true });`,
    { timeoutMs },
  );
  const thrown = outcome.result['thrown'] as { code?: string } | undefined;
  console.log(`${expect.getState().currentTestName}: ${thrown?.code ?? 'loaded'}, peak RSS ${outcome.peakRssMb.toFixed(0)} MB, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return outcome;
}

describe('graphs that would read outside the model folder', () => {
  it('refuses external data (location "secret.txt") before a session exists', async () => {
    const dir = await modelCopy();
    await writeFile(join(dir, 'secret.txt'), 'x'.repeat(400 * 4));
    await replaceGraph(dir, 'decoder', await decoderWithExternalData('secret.txt'));
    const error = await refusal(dir);
    expect(error.code).toBe('unsafe-graph');
    expect(error.message).toMatch(/decoder graph decoder\.onnx keeps 1 tensor in external data files \('.+' → "secret\.txt"\)/);
  });

  it('refuses external data given as bytes to onnxruntime-web too (the browser path)', async () => {
    const dir = await modelCopy();
    await replaceGraph(dir, 'decoder', await decoderWithExternalData('../../etc/passwd'));
    const error = await rejected(
      Vae.load(
        { manifest: await readFile(join(dir, 'vaekit.json'), 'utf8'), encoder: await readFile(join(dir, 'encoder.onnx')), decoder: await readFile(join(dir, 'decoder.onnx')) },
        { runtime: ortWebBackend, device: 'wasm' },
      ),
    );
    expect(error.code).toBe('unsafe-graph');
    expect(error.message).toContain('"../../etc/passwd"');
  });
});

describe('unbounded reads', () => {
  it('refuses vaekit.json that is a symlink to /dev/zero, under 300 MB peak RSS', async () => {
    const dir = await modelCopy();
    await rm(join(dir, 'vaekit.json'));
    await symlink('/dev/zero', join(dir, 'vaekit.json'));
    const before = await fingerprint(dir);
    const { result, peakRssMb } = await loadInChild(dir);
    expect(result['thrown']).toMatchObject({ code: 'io-error' });
    expect(String((result['thrown'] as Json)['message'])).toMatch(/vaekit\.json.*it is a device; vaekit reads model files only from regular files/);
    expect(peakRssMb).toBeLessThan(300);
    expect(await fingerprint(dir)).toEqual(before);
  });

  it('refuses a graph that is a symlink to /dev/zero, under 300 MB peak RSS', async () => {
    const dir = await modelCopy();
    await rm(join(dir, 'decoder.onnx'));
    await symlink('/dev/zero', join(dir, 'decoder.onnx'));
    const { result, peakRssMb } = await loadInChild(dir);
    expect(result['thrown']).toMatchObject({ code: 'io-error' });
    expect(peakRssMb).toBeLessThan(300);
  });

  it('refuses a FIFO in place of decoder.onnx instead of hanging', async () => {
    const dir = await modelCopy();
    await rm(join(dir, 'decoder.onnx'));
    execFileSync('mkfifo', [join(dir, 'decoder.onnx')]);
    const error = await refusal(dir);
    expect(error.code).toBe('io-error');
    expect(error.message).toMatch(/decoder\.onnx.*it is a FIFO \(named pipe\)/);
  });

  it('refuses a 1.5 GB graph the manifest sizes at 1.3 MB before reading it: no hashing, under 300 MB', async () => {
    const dir = await modelCopy();
    await truncate(join(dir, 'decoder.onnx'), 1_500_000_000); // sparse: costs no disk
    const started = Date.now();
    const { result, peakRssMb } = await loadInChild(dir);
    expect(result['thrown']).toMatchObject({ code: 'integrity-mismatch' });
    expect(String((result['thrown'] as Json)['message'])).toMatch(/the graph decoder\.onnx at .* is 1292074 bytes; found 1500000000 bytes, refused before reading it/);
    expect(peakRssMb).toBeLessThan(300);
    expect(Date.now() - started).toBeLessThan(30_000); // hashing 1.5 GB took 43 s before
  });

  it('refuses a manifest larger than 8 MiB before reading it', async () => {
    const dir = await modelCopy();
    await truncate(join(dir, 'vaekit.json'), 1_000_000_000);
    const { result, peakRssMb } = await loadInChild(dir);
    expect(result['thrown']).toMatchObject({ code: 'invalid-manifest' });
    expect(String((result['thrown'] as Json)['message'])).toMatch(/the manifest \(vaekit\.json\) at .* is at most 8388608 bytes; found 1000000000 bytes/);
    expect(peakRssMb).toBeLessThan(300);
  });

  it('refuses a manifest nested 100 000 levels deep with invalid-manifest, not a stack overflow', async () => {
    const dir = await modelCopy();
    await writeFile(join(dir, 'vaekit.json'), `{"format":"vaekit/1","name":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const error = await refusal(dir);
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toMatch(/nests arrays and objects at most 64 levels deep/);
    const deep: Json = {};
    let at = deep;
    for (let i = 0; i < 100_000; i++) at = at['x'] = {};
    const object = await rejected(Vae.load({ manifest: deep, encoder: new Uint8Array(1), decoder: new Uint8Array(1) }, { runtime: ortNodeBackend }));
    expect(object.code).toBe('invalid-manifest');
  });
});

describe('manifests that lie about their graphs', () => {
  it('refuses latentDim 21 for a 20-latent graph, naming both sides', async () => {
    const dir = await modelCopy();
    await editManifest(dir, (m) => (m.latentDim = 21));
    const error = await refusal(dir);
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toContain("encoder.onnx output 'mu' (graphs.encoder.outputs.mu) has 20 values per example (shape [N, 20]); the manifest's latentDim 21 says 21");
    expect(error.message).toContain("decoder.onnx input 'z' (graphs.decoder.inputs.z) has 20 values per example (shape [N, 20]); the manifest's latentDim 21 says 21");
  });

  it('refuses input.shape [32, 32, 1] for a 28×28 graph instead of returning wrongly shaped samples', async () => {
    const dir = await modelCopy();
    await editManifest(dir, (m) => (m.input.shape = [32, 32, 1]));
    const error = await refusal(dir);
    expect(error.code).toBe('invalid-manifest');
    expect(error.message).toContain("encoder.onnx input 'x' (graphs.encoder.inputs.x) has 784 values per example (shape [N, 28, 28, 1]); the manifest's input.shape [32, 32, 1] says 1024");
    expect(error.message).toContain("decoder.onnx output 'mean' (graphs.decoder.outputs.mean)");
  });
});

/** The shipped graph with the dimensions of its inputs or outputs (after the batch) made symbolic. */
async function symbolicGraph(role: 'encoder' | 'decoder', which: 'input' | 'output'): Promise<Uint8Array> {
  const model = onnx.ModelProto.decode(await readFile(join(MODEL, `${role}.onnx`)));
  for (const value of model.graph![which]!) {
    const dims = value.type!.tensorType!.shape!.dim!;
    dims.forEach((d, i) => i > 0 && Object.assign(d, { dimValue: null, dimParam: `d${i}` }));
  }
  return onnx.ModelProto.encode(model).finish();
}

describe('manifests that lie about graphs with symbolic shapes', () => {
  it('refuses wrongly sized results at run time (invalid-manifest), and graph run failures are run-failed', async () => {
    const dir = await modelCopy();
    await replaceGraph(dir, 'encoder', await symbolicGraph('encoder', 'input'));
    await replaceGraph(dir, 'decoder', await symbolicGraph('decoder', 'output'));
    await editManifest(dir, (m) => (m.input.shape = [32, 32, 1]));
    const vae = await Vae.load(dir, { runtime: ortNodeBackend, device: 'cpu' }); // nothing fixed to compare
    const sample = await rejected(vae.sample(2, { seed: 1 }));
    expect(sample.code).toBe('invalid-manifest');
    expect(sample.message).toBe("decoder.onnx output 'logits' has 784 values per example (shape [2, 28, 28, 1]); the manifest's input.shape [32, 32, 1] says 1024: vaekit.json does not describe this graph");
    const encode = await rejected(vae.encode(new Float32Array(2 * 1024).fill(0.5)));
    expect(encode.code).toBe('run-failed');
    expect(encode.message).toMatch(/^onnxruntime-node could not run the graph: .+ \(if the graph and vaekit\.json disagree/);
    await vae.dispose();
  });
});

describe('cases that were already handled and must stay so', () => {
  it.each([
    ['a ".." path', '../decoder.onnx'],
    ['an absolute path', '/etc/passwd'],
    ['a URL', 'https://example.com/decoder.onnx'],
  ])('refuses graph file names with %s (invalid-manifest)', async (_case, file) => {
    const dir = await modelCopy();
    await editManifest(dir, (m) => (m.graphs.decoder.file = file));
    expect((await refusal(dir)).code).toBe('invalid-manifest');
  });

  it('refuses a tampered graph (one flipped byte) and a truncated one (integrity-mismatch)', async () => {
    const dir = await modelCopy();
    const bytes = await readFile(join(dir, 'decoder.onnx'));
    bytes[bytes.length >> 1]! ^= 1;
    await writeFile(join(dir, 'decoder.onnx'), bytes);
    expect((await refusal(dir)).message).toMatch(/decoder graph decoder\.onnx SHA-256 expected/);
    await writeFile(join(dir, 'decoder.onnx'), bytes.subarray(0, 4096));
    expect((await refusal(dir)).message).toMatch(/is 1292074 bytes; found 4096 bytes \(shorter: an interrupted download\?\)/);
  });

  it('refuses swapped graphs (integrity-mismatch)', async () => {
    const dir = await modelCopy();
    await copyFile(join(MODEL, 'encoder.onnx'), join(dir, 'decoder.onnx'));
    await copyFile(join(MODEL, 'decoder.onnx'), join(dir, 'encoder.onnx'));
    expect((await refusal(dir)).code).toBe('integrity-mismatch');
  });

  it('refuses unknown format versions (invalid-manifest, saying which to upgrade)', async () => {
    const dir = await modelCopy();
    await editManifest(dir, (m) => (m.format = 'vaekit/2'));
    expect((await refusal(dir)).message).toMatch(/unknown format version "vaekit\/2".*upgrade vaekit/);
  });

  it('lets "__proto__" keys pollute nothing', async () => {
    const dir = await modelCopy();
    const text = (await readFile(join(dir, 'vaekit.json'), 'utf8')).replace('{', '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}},');
    await writeFile(join(dir, 'vaekit.json'), text);
    const vae = await Vae.load(dir, { runtime: ortNodeBackend, device: 'cpu' });
    expect(({} as Json)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    await vae.dispose();
  });
});
