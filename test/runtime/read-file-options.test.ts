/**
 * readFile's ReadOptions — onProgress, signal, fetch — for both readers: a file on disk (Node) and
 * fetchBytes against a real server on 127.0.0.1 (announced, chunked and endless bodies).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fetchBytes } from '../../src/runtime/read-file-fetch.js';
import { READ_CHUNK_BYTES } from '../../src/runtime/read-file-node.js';
import { rejected } from '../helpers/thrown.js';

const SIZE = 2.5 * READ_CHUNK_BYTES;
const body = Buffer.alloc(SIZE, 7);
let dir: string;
let server: Server;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vaekit-read-options-'));
  await writeFile(join(dir, 'file'), body);
  server = createServer((req, res) => {
    if (req.url === '/announced') return void res.writeHead(200, { 'content-length': SIZE }).end(body);
    if (req.url === '/chunked') {
      res.writeHead(200);
      res.write(body.subarray(0, 1000));
      return void setTimeout(() => res.end(body.subarray(1000)), 20);
    }
    if (req.url === '/endless') {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const timer = setInterval(() => res.write(chunk), 5);
      return void res.on('close', () => clearInterval(timer));
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

/** Asserts progress calls are non-decreasing and end at loaded === total === `size`. */
function expectProgress(calls: [number, number][], size: number, atLeast: number): void {
  expect(calls.length).toBeGreaterThanOrEqual(atLeast);
  for (let i = 1; i < calls.length; i++) {
    expect(calls[i]![0]).toBeGreaterThanOrEqual(calls[i - 1]![0]);
    expect(calls[i]![1]).toBeGreaterThanOrEqual(calls[i - 1]![1]);
  }
  expect(calls.every(([loaded, total]) => loaded <= total)).toBe(true);
  expect(calls.at(-1)).toEqual([size, size]);
}

describe('onProgress', () => {
  it('a file on disk: once per chunk of READ_CHUNK_BYTES, total its size', async () => {
    const calls: [number, number][] = [];
    await ortNodeBackend.readFile(join(dir, 'file'), { onProgress: (l, t) => calls.push([l, t]) });
    expect(calls).toEqual([[READ_CHUNK_BYTES, SIZE], [2 * READ_CHUNK_BYTES, SIZE], [SIZE, SIZE]]);
  });

  it('a URL with a Content-Length: total announced from the first call', async () => {
    const calls: [number, number][] = [];
    await fetchBytes(`${base}/announced`, { onProgress: (l, t) => calls.push([l, t]) });
    expectProgress(calls, SIZE, 2);
    expect(calls.every(([, total]) => total === SIZE)).toBe(true);
  });

  it('a chunked URL: total is the bytes so far until the exact limit is known', async () => {
    const calls: [number, number][] = [];
    await fetchBytes(`${base}/chunked`, { onProgress: (l, t) => calls.push([l, t]) });
    expectProgress(calls, SIZE, 2);
    expect(calls[0]).toEqual([1000, 1000]);
    const exact: [number, number][] = [];
    await fetchBytes(`${base}/chunked`, { onProgress: (l, t) => exact.push([l, t]), limit: { bytes: SIZE, exact: true, code: 'integrity-mismatch', what: 'the body' } });
    expect(exact[0]).toEqual([1000, SIZE]);
  });
});

describe('signal', () => {
  it('stops an endless body once aborted, with aborted', async () => {
    const controller = new AbortController();
    let loaded = 0;
    const error = await rejected(
      fetchBytes(`${base}/endless`, { signal: controller.signal, onProgress: (l) => (loaded = l) > 1e6 && controller.abort() }),
    );
    expect(error.code).toBe('aborted');
    expect(error.message).toMatch(/^'signal' was aborted while reading "http:\/\/127\.0\.0\.1:\d+\/endless"$/);
    expect(loaded).toBeLessThan(2e6);
  });

  it('stops a file read between chunks, and reads nothing when already aborted', async () => {
    const controller = new AbortController();
    const calls: number[] = [];
    const error = await rejected(ortNodeBackend.readFile(join(dir, 'file'), { signal: controller.signal, onProgress: (l) => (calls.push(l), controller.abort()) }));
    expect(error.code).toBe('aborted');
    expect(calls).toEqual([READ_CHUNK_BYTES]);
    const before = await rejected(ortNodeBackend.readFile(join(dir, 'missing'), { signal: AbortSignal.abort('stop') }));
    expect(before.message).toBe(`'signal' was aborted while reading "${join(dir, 'missing')}": stop`);
  });
});

describe('fetch', () => {
  it('is called for URLs, without a receiver, and not for paths', async () => {
    const seen: string[] = [];
    function ownFetch(this: unknown, input: string | URL | Request, init?: RequestInit) {
      expect(this).toBeUndefined();
      seen.push(String(input));
      return fetch(input, init);
    }
    expect((await ortNodeBackend.readFile(`${base}/announced`, { fetch: ownFetch })).length).toBe(SIZE);
    expect((await ortNodeBackend.readFile(join(dir, 'file'), { fetch: ownFetch })).length).toBe(SIZE);
    expect(seen).toEqual([`${base}/announced`]);
  });
});
