/**
 * Errors that Fastify or Node's HTTP parser would answer in their own body shape — a request
 * arriving while the server shuts down, a URL that does not decode, bytes that are not HTTP — are
 * written as the Open Inference Protocol writes errors: `{"error": "…"}` (raw sockets on 127.0.0.1).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaeServer } from '../../src/serve/server.js';
import { latentRow, post, startServer } from './serve-helpers.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Everything the server writes on `socket` until it closes the connection, as one HTTP response. */
function responseOf(socket: Socket): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body: rest.join('\r\n\r\n') });
    });
  });
}

async function openSocket(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return socket;
}

const inferBody = JSON.stringify({ inputs: [{ name: 'z', shape: [1, 20], datatype: 'FP32', data: latentRow(2) }], outputs: [{ name: 'mean' }] });

describe('a request arriving while the server shuts down', () => {
  it('gets 503 {"error"} with Retry-After and Connection: close, while the request in flight finishes with 200', async () => {
    // The request in flight waits up to 1.5 s for its batch to fill: the server is still closing when the second one arrives.
    const { server, url } = await startServer({ maxQueueDelayMs: 1500 });
    const inFlight = post(`${url}/v2/models/mnist-mlp-decoder/infer`, JSON.parse(inferBody));
    const depth = async () => Number(/vaekit_queue_depth\{model="mnist-mlp-decoder"\} (\d+)/.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? 0);
    while ((await depth()) < 1) await new Promise((resolve) => setTimeout(resolve, 10));

    // A connection already sending its request (so not idle: the close does not drop it) finishes it after close() began.
    const socket = await openSocket(url);
    const late = responseOf(socket);
    socket.write(`POST /v2/models/mnist-mlp-decoder/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.write(`Content-Length: ${Buffer.byteLength(inferBody)}\r\n\r\n${inferBody}`);

    const refused = await late;
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/json/);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['connection']).toBe('close');
    expect(JSON.parse(refused.body)).toEqual({ error: 'the server is shutting down: it finishes the requests it already has and takes no new ones; retry on another replica' });

    const finished = await inFlight;
    expect(finished.status).toBe(200);
    expect((await finished.json()).outputs[0].shape).toEqual([1, 28, 28, 1]);
    await closed;
  });
});

describe('errors raised before any route runs', () => {
  let server: VaeServer;
  let url: string;
  beforeAll(async () => {
    ({ server, url } = await startServer());
  });
  afterAll(() => server.close());

  it('answers a path parameter that does not decode with 400 {"error"}', async () => {
    const response = await fetch(`${url}/v2/models/%E0%A4%A/ready`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: "'/v2/models/%E0%A4%A/ready' is not a valid url component" });
  });

  it('answers bytes that are not HTTP with 400 {"error"} and closes the connection', async () => {
    const socket = await openSocket(url);
    const response = responseOf(socket);
    socket.write('NOT HTTP AT ALL\r\n\r\n');
    const { status, headers, body } = await response;
    expect(status).toBe(400);
    expect(headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(body)).toEqual({ error: expect.stringMatching(/^the request is not valid HTTP\/1\.1 \(HPE_/) });
  });
});
