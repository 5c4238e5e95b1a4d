/**
 * The remote runtime reads every response with a bound: a server (a real node:http one on
 * 127.0.0.1, a free port) that answers an oversized — here endless — body gets `remote-error`
 * naming the URL, the limit and the size found, and the client stops reading (the server sees the
 * connection closed) instead of buffering it. Limits: the manifest and metadata ≤ the manifest
 * JSON limit; an infer response ≤ rows × output widths × 4 bytes (binary) or 32 bytes (JSON) per
 * value + 64 KiB of header.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_MAX_BYTES } from '../../src/manifest/json-limits.js';
import { Vae, VaekitError } from '../../src/node.js';
import { MODEL, ROOT } from '../serve/serve-helpers.js';

const manifest = readFileSync(`${ROOT}${MODEL}/vaekit.json`, 'utf8');
const metadata = {
  'mnist-mlp-encoder': { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 28, 28, 1] }], outputs: ['mu', 'logvar'].map((name) => ({ name, datatype: 'FP32', shape: [-1, 20] })) },
  'mnist-mlp-decoder': { inputs: [{ name: 'z', datatype: 'FP32', shape: [-1, 20] }], outputs: ['mean', 'logits'].map((name) => ({ name, datatype: 'FP32', shape: [-1, 28, 28, 1] })) },
};

/** What the fake server does per request path: a JSON value, or an endless body (with a status and an optional false Content-Length). */
type Answer = { json: unknown } | { endless: { status: number; contentLength?: number } };

interface FakeServer {
  url: string;
  /** Paths whose endless body the client stopped reading (the connection closed under the server). */
  abandoned: string[];
}

let server: Server;
let fake: FakeServer;
let answers: Record<string, Answer> = {};

/** Writes 64 KiB chunks until the client goes away. */
function endless(res: ServerResponse, onClosed: () => void): void {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.on('close', onClosed);
  const pump = () => {
    while (!res.destroyed && res.write(chunk));
    if (!res.destroyed) res.once('drain', pump);
  };
  pump();
}

beforeAll(async () => {
  const abandoned: string[] = [];
  server = createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '').split('?')[0]!;
    const answer = answers[path];
    if (!answer) return void res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `no ${path}` }));
    if ('json' in answer) return void res.writeHead(200, { 'content-type': 'application/json' }).end(typeof answer.json === 'string' ? answer.json : JSON.stringify(answer.json));
    const { status, contentLength } = answer.endless;
    res.writeHead(status, { 'content-type': 'application/json', ...(contentLength !== undefined ? { 'content-length': contentLength } : {}) });
    endless(res, () => abandoned.push(path));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  fake = { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`, abandoned };
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A well-behaved server's documents; `overrides` replace some of them. */
function serve(overrides: Record<string, Answer> = {}): void {
  answers = {
    '/vaekit/v1/models/mnist-mlp/manifest': { json: manifest },
    '/v2': { json: { name: 'fake', version: '1', extensions: ['binary_tensor_data'] } },
    '/v2/models/mnist-mlp-encoder': { json: metadata['mnist-mlp-encoder'] },
    '/v2/models/mnist-mlp-decoder': { json: metadata['mnist-mlp-decoder'] },
    ...overrides,
  };
  fake.abandoned.length = 0;
}

async function rejection(promise: Promise<unknown>): Promise<VaekitError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaekitError);
  return error as VaekitError;
}

/** The server saw the client leave (polled: the socket's close reaches the server after the client's error). */
async function expectAbandoned(path: string): Promise<void> {
  for (let i = 0; i < 100 && !fake.abandoned.includes(path); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(fake.abandoned).toContain(path);
}

describe('Vae.connect bounds what it reads', () => {
  it('refuses an endless manifest at the manifest JSON limit, without retrying', async () => {
    const path = '/vaekit/v1/models/mnist-mlp/manifest';
    serve({ [path]: { endless: { status: 200 } } });
    const error = await rejection(Vae.connect(fake.url, { model: 'mnist-mlp', retries: 2 }));
    expect(error.code).toBe('remote-error');
    expect(error.message).toMatch(
      new RegExp(`^GET ${fake.url}${path} answered a body of more than ${MANIFEST_MAX_BYTES} bytes \\(\\d+ read before the rest was refused\\); the limit for this response is ${MANIFEST_MAX_BYTES} bytes`),
    );
    expect(error.message).not.toContain('attempts');
    await expectAbandoned(path);
  });

  it('refuses model metadata whose Content-Length is over the limit before reading it', async () => {
    const path = '/v2/models/mnist-mlp-decoder';
    serve({ [path]: { endless: { status: 200, contentLength: MANIFEST_MAX_BYTES + 1 } } });
    const error = await rejection(Vae.connect(fake.url, { model: 'mnist-mlp' }));
    expect(error.code).toBe('remote-error');
    expect(error.message).toContain(`GET ${fake.url}${path} answered a body of ${MANIFEST_MAX_BYTES + 1} bytes (Content-Length); the limit for this response is ${MANIFEST_MAX_BYTES} bytes`);
    await expectAbandoned(path);
  });

  it.each([
    // 3 rows of mean and logits (784 values each): 4 bytes a value as binary, 32 as JSON, + 64 KiB of header.
    { binary: true, limit: 3 * 2 * 784 * 4 + 65536 },
    { binary: false, limit: 3 * 2 * 784 * 32 + 65536 },
  ])('refuses an infer response over rows × output widths (binary: $binary → $limit bytes)', async ({ binary, limit }) => {
    const path = '/v2/models/mnist-mlp-decoder/infer';
    serve({ [path]: { endless: { status: 200 } } });
    const vae = await Vae.connect(fake.url, { model: 'mnist-mlp', binary });
    try {
      const error = await rejection(vae.decode({ data: new Float32Array(3 * 20).fill(0.5), shape: [3, 20] }));
      expect(error.code).toBe('remote-error');
      expect(error.status).toBeUndefined();
      expect(error.message).toMatch(new RegExp(`^POST ${fake.url}${path} answered a body of more than ${limit} bytes \\(\\d+ read before the rest was refused\\); the limit for this response is ${limit} bytes`));
      await expectAbandoned(path);
    } finally {
      await vae.dispose();
    }
  });

  it('reads only the start of an endless error body: remote-error with its status', async () => {
    const path = '/v2/models/mnist-mlp-decoder/infer';
    serve({ [path]: { endless: { status: 500 } } });
    const vae = await Vae.connect(fake.url, { model: 'mnist-mlp' });
    try {
      const error = await rejection(vae.decode({ data: new Float32Array(20), shape: [1, 20] }));
      expect([error.code, error.status]).toEqual(['remote-error', 500]);
      expect(error.message).toMatch(new RegExp(`^POST ${fake.url}${path} answered HTTP 500 Internal Server Error: \\(empty body\\)$`));
      await expectAbandoned(path);
    } finally {
      await vae.dispose();
    }
  });
});
