/**
 * Vae.load's reading options — bytes as ArrayBuffer or Uint8Array, onProgress, signal, fetch,
 * cache (ignored in Node) — against the shipped model on disk and served by a real HTTP server on
 * 127.0.0.1 (one path requires an Authorization header, one stalls in the middle of a graph).
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeBackend } from '../../src/runtime/backend.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import type { LoadProgress } from '../../src/vae/load.js';
import { Vae } from '../../src/vae/vae.js';
import { docExamples, runDocExample } from '../helpers/doc-examples.js';
import { rejected } from '../helpers/thrown.js';

const MODEL = fileURLToPath(new URL('../../models/mnist-mlp', import.meta.url));
const FILES = ['vaekit.json', 'encoder.onnx', 'decoder.onnx'] as const;
const TOKEN = 'Bearer test-token';
let files: Record<string, Buffer>;
let sizes: Record<string, number>;
let server: Server;
let base: string;
/** Paths the server was asked for, in order. */
const requests: string[] = [];

beforeAll(async () => {
  files = Object.fromEntries(await Promise.all(FILES.map(async (f) => [f, await readFile(join(MODEL, f))] as const)));
  sizes = Object.fromEntries(FILES.map((f) => [f, files[f]!.length]));
  server = createServer((req, res) => {
    const url = req.url ?? '';
    requests.push(url);
    const [, area, file] = /^\/(open|private|stall)\/([\w.-]+)$/.exec(url) ?? [];
    const body = file ? files[file] : undefined;
    if (!area || !body) return void res.writeHead(404).end();
    if (area === 'private' && req.headers.authorization !== TOKEN) return void res.writeHead(401, 'Unauthorized').end();
    if (area === 'stall' && file === 'decoder.onnx') {
      // Half the graph, then nothing until the client goes away.
      res.writeHead(200, { 'content-length': body.length });
      res.write(body.subarray(0, body.length >> 1));
      return;
    }
    // Chunked (no Content-Length) for the manifest, to test a total that is not announced.
    res.writeHead(200, file === 'vaekit.json' ? {} : { 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** ortNodeBackend, counting the sessions it creates and releases; `onCreate` runs after each creation. */
function countingRuntime(onCreate: () => void = () => {}) {
  const count = { created: 0, released: 0 };
  const runtime: RuntimeBackend = {
    ...ortNodeBackend,
    async createSession(model, options) {
      const session = await ortNodeBackend.createSession(model, options);
      count.created++;
      onCreate();
      const release = session.release.bind(session);
      return Object.assign(session, { release: async () => void (count.released++, await release()) });
    },
  };
  return { runtime, count };
}

/** Checks the progress events: per file monotonic, ending at loaded === total, graphs sized by the manifest. */
function expectProgress(events: LoadProgress[], minEvents: Record<string, number>): void {
  expect([...new Set(events.map((e) => e.file))]).toEqual([...FILES]);
  for (const file of FILES) {
    const mine = events.filter((e) => e.file === file);
    expect(mine.length, file).toBeGreaterThanOrEqual(minEvents[file] ?? 1);
    for (let i = 1; i < mine.length; i++) {
      expect(mine[i]!.loaded, file).toBeGreaterThanOrEqual(mine[i - 1]!.loaded);
      expect(mine[i]!.total, file).toBeGreaterThanOrEqual(mine[i - 1]!.total);
    }
    for (const e of mine) expect(e.loaded).toBeLessThanOrEqual(e.total);
    expect(mine.at(-1)).toEqual({ file, loaded: sizes[file], total: sizes[file] });
    if (file !== 'vaekit.json') expect(mine.every((e) => e.total === sizes[file])).toBe(true);
  }
}

describe('Vae.load: bytes sources', () => {
  it('accepts ArrayBuffers — what fetch().arrayBuffer() gives — for the graphs and the manifest', async () => {
    const fetched = async (file: string) => (await fetch(`${base}/open/${file}`)).arrayBuffer();
    const vae = await Vae.load(
      { manifest: await fetched('vaekit.json'), encoder: await fetched('encoder.onnx'), decoder: await fetched('decoder.onnx') },
      { runtime: ortNodeBackend, device: 'cpu' },
    );
    expect(vae.latentDim).toBe(20);
    await vae.dispose();
  });

  it('accepts Node Buffers and Uint8Array views at an offset', async () => {
    const padded = new Uint8Array(files['decoder.onnx']!.length + 8);
    padded.set(files['decoder.onnx']!, 8);
    const vae = await Vae.load(
      { manifest: files['vaekit.json']!.toString('utf8'), encoder: files['encoder.onnx']!, decoder: padded.subarray(8) },
      { runtime: ortNodeBackend, device: 'cpu' },
    );
    expect((await vae.decode(new Float32Array(20))).mean.shape).toEqual([1, 28, 28, 1]);
    await vae.dispose();
  });

  it.each([
    ['a Blob', () => new Blob([new Uint8Array(files['encoder.onnx']!)]), "'source.encoder' must be an ArrayBuffer or a Uint8Array (the encoder graph's bytes); found Blob: pass `await blob.arrayBuffer()`"],
    ['a Response', () => new Response(new Uint8Array(files['encoder.onnx']!)), "found Response: pass `await response.arrayBuffer()`"],
    ['a Promise', () => Promise.resolve(new ArrayBuffer(4)), 'found Promise: await it first'],
    ['a Float32Array', () => new Float32Array(4), 'found Float32Array(4): pass its bytes, `new Uint8Array(view.buffer, view.byteOffset, view.byteLength)`'],
    ['a path string', () => 'encoder.onnx', 'found "encoder.onnx"'],
    ['nothing', () => undefined, 'found undefined'],
  ])('refuses %s as a graph, naming what it found', async (_what, make, message) => {
    const error = await rejected(Vae.load({ manifest: files['vaekit.json']!.toString(), encoder: make() as unknown as Uint8Array, decoder: files['decoder.onnx']! }, { runtime: ortNodeBackend }));
    expect(error.code).toBe('invalid-argument');
    expect(error.message).toContain(message);
  });

  it('refuses a missing manifest and a source of another type, naming what it found', async () => {
    const noManifest = await rejected(Vae.load({ encoder: files['encoder.onnx']!, decoder: files['decoder.onnx']! } as never, { runtime: ortNodeBackend }));
    expect(noManifest.message).toBe("'source.manifest' must be the manifest (vaekit.json) as text, bytes or an object; found undefined");
    const number = await rejected(Vae.load(42 as never, { runtime: ortNodeBackend }));
    expect(number.message).toBe("'source' must be a folder path, a URL or { manifest, encoder, decoder }; found 42");
  });
});

describe('Vae.load: onProgress', () => {
  it('reports a folder path file by file, per 1 MiB chunk, ending at loaded === total', async () => {
    const events: LoadProgress[] = [];
    const vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu', onProgress: (p) => events.push(p) });
    expectProgress(events, { 'encoder.onnx': 2, 'decoder.onnx': 2 });
    await vae.dispose();
  });

  it('reports a URL as the body streams (a chunked manifest included)', async () => {
    const events: LoadProgress[] = [];
    const vae = await Vae.load(`${base}/open`, { runtime: ortNodeBackend, device: 'cpu', onProgress: (p) => events.push(p) });
    expectProgress(events, { 'encoder.onnx': 3, 'decoder.onnx': 3 });
    await vae.dispose();
  });
});

describe('Vae.load: signal', () => {
  it('an abort while a file is read stops it between chunks: aborted, no session created', async () => {
    const controller = new AbortController();
    const { runtime, count } = countingRuntime();
    const events: LoadProgress[] = [];
    const onProgress = (p: LoadProgress) => {
      events.push(p);
      if (p.file === 'encoder.onnx') controller.abort();
    };
    const error = await rejected(Vae.load(MODEL, { runtime, device: 'cpu', signal: controller.signal, onProgress }));
    expect(error.code).toBe('aborted');
    expect(error.message).toMatch(/^'signal' was aborted while reading ".*encoder\.onnx"$/);
    expect(events.filter((e) => e.file === 'encoder.onnx')).toEqual([{ file: 'encoder.onnx', loaded: 1 << 20, total: sizes['encoder.onnx'] }]);
    expect(events.some((e) => e.file === 'decoder.onnx')).toBe(false);
    expect(count.created).toBe(0);
  });

  it('an abort while a download stalls aborts the fetch at once, with the reason given', async () => {
    const controller = new AbortController();
    // Aborted while the read of the rest of decoder.onnx waits (after its first bytes arrived).
    const onProgress = (p: LoadProgress) => {
      if (p.file === 'decoder.onnx') setTimeout(() => controller.abort(new Error('the user closed the dialog')), 100);
    };
    const { runtime, count } = countingRuntime();
    const started = performance.now();
    const error = await rejected(Vae.load(`${base}/stall`, { runtime, device: 'cpu', signal: controller.signal, onProgress }));
    expect(error.code).toBe('aborted');
    expect(error.message).toMatch(/^'signal' was aborted while reading "http:\/\/127\.0\.0\.1:\d+\/stall\/decoder\.onnx": the user closed the dialog$/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(count.created).toBe(0);
  });

  it('an already aborted signal reads nothing', async () => {
    const before = requests.length;
    const error = await rejected(Vae.load(`${base}/open`, { runtime: ortNodeBackend, signal: AbortSignal.abort() }));
    expect(error.code).toBe('aborted');
    expect(error.message).toBe("'signal' was aborted before Vae.load read anything");
    expect(requests.length).toBe(before);
  });

  it('an abort while sessions are created releases the ones created: none is kept', async () => {
    const controller = new AbortController();
    const { runtime, count } = countingRuntime(() => controller.abort());
    const error = await rejected(Vae.load(MODEL, { runtime, device: 'cpu', signal: controller.signal }));
    expect(error).toMatchObject({ code: 'aborted', message: "'signal' was aborted while creating the encoder session" });
    expect(count).toEqual({ created: 1, released: 1 });
  });
});

describe('Vae.load: fetch', () => {
  it('reads every URL with the given fetch (an Authorization header), passing it the signal', async () => {
    const unauthorized = await rejected(Vae.load(`${base}/private`, { runtime: ortNodeBackend }));
    expect(unauthorized.code).toBe('io-error');
    expect(unauthorized.message).toMatch(/private\/vaekit\.json": HTTP 401 Unauthorized$/);

    const seen: { url: string; signal: boolean }[] = [];
    const authorized: typeof fetch = (input, init) => {
      seen.push({ url: String(input), signal: init?.signal instanceof AbortSignal });
      return fetch(input, { ...init, headers: { authorization: TOKEN } });
    };
    const vae = await Vae.load(`${base}/private`, { runtime: ortNodeBackend, device: 'cpu', fetch: authorized, signal: new AbortController().signal });
    expect(seen).toEqual(FILES.map((f) => ({ url: `${base}/private/${f}`, signal: true })));
    expect(vae.latentDim).toBe(20);
    await vae.dispose();
  });

  it('refuses a fetch that does not return a Response', async () => {
    const error = await rejected(Vae.load(`${base}/open`, { runtime: ortNodeBackend, fetch: (async () => 'text') as never }));
    expect(error.message).toMatch(/^'fetch' must return a Promise of a Response; found "text" for ".*vaekit\.json"$/);
  });
});

describe('Vae.load: options', () => {
  it("ignores cache in Node, where there is no Cache API, without an error", async () => {
    expect('caches' in globalThis).toBe(false);
    const vae = await Vae.load(MODEL, { runtime: ortNodeBackend, device: 'cpu', cache: true });
    await vae.dispose();
  });

  it.each([
    [{ onProgress: 5 }, "'onProgress' must be a function; found 5"],
    [{ fetch: 'fetch' }, `'fetch' must be a function; found "fetch"`],
    [{ signal: {} }, "'signal' must be an AbortSignal (e.g. new AbortController().signal); found object"],
    [{ cache: '' }, `'cache' must be true, false or a cache name (a non-empty string); found ""`],
  ])('refuses %o before reading', async (options, message) => {
    const error = await rejected(Vae.load(MODEL, { runtime: ortNodeBackend, ...(options as object) }));
    expect(error).toMatchObject({ code: 'invalid-argument', message });
  });

  it("LoadOptions' @example runs as written", async () => {
    const examples = docExamples(new URL('../../src/vae/vae.ts', import.meta.url));
    const example = examples.find((code) => code.includes('new AbortController()'))!;
    const vaekit = await import('../../src/node.js');
    const log = console.log;
    console.log = () => {};
    try {
      await runDocExample(example, { vaekit });
    } finally {
      console.log = log;
    }
  });
});
