/** readFile's bounds: only regular files, sizes checked before reading, bodies cut off at the limit. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadLimit } from '../../src/runtime/backend.js';
import { ortNodeBackend } from '../../src/runtime/ort-node.js';
import { fetchBytes } from '../../src/runtime/read-file-fetch.js';
import { rejected } from '../helpers/thrown.js';

let dir: string;
let server: Server;
let base: string;
const limit: ReadLimit = { bytes: 100, code: 'invalid-manifest', what: 'the test file' };
const exact: ReadLimit = { bytes: 10, exact: true, code: 'integrity-mismatch', what: 'the graph g.onnx', hint: 're-download it' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vaekit-read-'));
  await writeFile(join(dir, 'ten'), '0123456789');
  // A real server on 127.0.0.1: honest, lying and unannounced lengths.
  server = createServer((req, res) => {
    if (req.url === '/ten') return res.end('0123456789');
    if (req.url === '/huge-announced') {
      res.writeHead(200, { 'content-length': String(5e9) });
      return res.end(); // never sends them: refused on the header alone
    }
    if (req.url === '/endless') {
      // Chunked, no length: a body that would never end.
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024);
      const write = () => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', write);
      };
      res.on('close', () => res.removeAllListeners('drain'));
      return write();
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

describe('Node readFile', () => {
  it('reads a regular file within its limit, and an exactly sized one', async () => {
    expect(new TextDecoder().decode(await ortNodeBackend.readFile(join(dir, 'ten'), { limit }))).toBe('0123456789');
    expect((await ortNodeBackend.readFile(join(dir, 'ten'), { limit: exact })).length).toBe(10);
  });

  it('refuses a size other than the exact one before reading, naming both sizes and the fix', async () => {
    const error = await rejected(ortNodeBackend.readFile(join(dir, 'ten'), { limit: { ...exact, bytes: 11 } }));
    expect(error.code).toBe('integrity-mismatch');
    expect(error.message).toBe(`the graph g.onnx at "${join(dir, 'ten')}" is 11 bytes; found 10 bytes (shorter: an interrupted download?), refused before reading it: re-download it`);
  });

  it('refuses a larger file than the limit', async () => {
    await writeFile(join(dir, 'big'), Buffer.alloc(101));
    const error = await rejected(ortNodeBackend.readFile(join(dir, 'big'), { limit }));
    expect(error).toMatchObject({ code: 'invalid-manifest' });
    expect(error.message).toMatch(/is at most 100 bytes; found 101 bytes/);
  });

  it.each([
    ['a device (through a symlink)', async (p: string) => symlink('/dev/zero', p), /it is a device/],
    ['a FIFO', async (p: string) => void execFileSync('mkfifo', [p]), /it is a FIFO \(named pipe\)/],
    ['a folder', async (p: string) => void execFileSync('mkdir', [p]), /it is a folder/],
  ])('refuses %s with io-error, without blocking', async (_what, make, message) => {
    const path = join(dir, `special-${Math.random().toString(36).slice(2)}`);
    await make(path);
    const error = await rejected(ortNodeBackend.readFile(path));
    expect(error.code).toBe('io-error');
    expect(error.message).toMatch(message);
  });
});

describe('fetch readFile', () => {
  it('reads a body within its limit', async () => {
    expect(new TextDecoder().decode(await fetchBytes(`${base}/ten`, { limit: exact }))).toBe('0123456789');
  });

  it('refuses on an announced Content-Length before reading the body', async () => {
    const error = await rejected(fetchBytes(`${base}/huge-announced`, { limit }));
    expect(error.message).toMatch(/is at most 100 bytes; found 5000000000 bytes, refused before reading it/);
  });

  it('cuts off a body without a length as soon as it passes the limit', async () => {
    const error = await rejected(fetchBytes(`${base}/endless`, { limit: { ...limit, bytes: 1_000_000 } }));
    expect(error).toMatchObject({ code: 'invalid-manifest' });
    expect(error.message).toMatch(/is at most 1000000 bytes; found more than 1000000 bytes/);
  });

  it('refuses a body shorter than the exact size', async () => {
    const error = await rejected(fetchBytes(`${base}/ten`, { limit: { ...exact, bytes: 12 } }));
    expect(error.message).toMatch(/is 12 bytes; found 10 bytes \(shorter/);
  });
});
