/**
 * `vaekit serve` on Fastify: the Open Inference Protocol routes, vaekit's own routes, metrics,
 * bearer-token auth, optional CORS, body limits, and a graceful close.
 */
import cors from '@fastify/cors';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import type { GraphModel } from './graph-model.js';
import { HttpError, httpErrorOf } from './http-error.js';
import { createMetrics, type ServeMetrics } from './metrics.js';
import { oipRoutes } from './oip-routes.js';
import { HEADER_LENGTH } from './oip-tensors.js';
import { loadModels, type ServedModel } from './served-model.js';
import type { ServeSettings } from './settings.js';
import { vaekitRoutes } from './vaekit-routes.js';

/**
 * A request Node's HTTP parser refused (malformed, headers too large, too slow) never reaches
 * Fastify's routes: answer it on the socket in the OIP error shape, then drop the connection.
 */
/** The part of the connection's socket the answer needs. */
interface RawSocket {
  destroyed: boolean;
  writable: boolean;
  write(data: string): unknown;
  destroy(error?: Error): unknown;
}

function rawClientError(error: Error & { code?: string }, socket: RawSocket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, message] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout', 'the request was not received in time']
    : error.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
    : [400, 'Bad Request', `the request is not valid HTTP/1.1 (${error.code ?? error.message})`];
  const body = JSON.stringify({ error: message });
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy(error);
}

export interface VaeServer {
  app: FastifyInstance;
  models: ServedModel[];
  metrics: ServeMetrics;
  /** Listens on settings.host:port; resolves with the URL (the real port when port was 0). */
  listen(): Promise<string>;
  /** Stops accepting, lets the requests in flight finish, then releases the sessions. */
  close(): Promise<void>;
}

export async function createServer(settings: ServeSettings): Promise<VaeServer> {
  const metrics = createMetrics();
  const app = Fastify({
    logger: settings.logger,
    bodyLimit: settings.bodyLimit,
    // Fastify's own 503 while closing, and its router's and HTTP parser's refusals, write Fastify's
    // error body ({"statusCode", "error", "message"}): the hooks below answer them as OIP does.
    return503OnClosing: false,
    frameworkErrors: (error, _request, reply) => {
      const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 400;
      void (reply as FastifyReply).code(status).send({ error: error.message });
    },
    clientErrorHandler: rawClientError,
    forceCloseConnections: 'idle',
  });
  const models = await loadModels(
    settings.models,
    (graph) => ({
      maxBatchSize: settings.maxBatchSize,
      maxQueueDelayMs: settings.maxQueueDelayMs,
      maxQueue: settings.maxQueue,
      timeoutMs: settings.timeoutMs,
      onBatch: (rows, requests) => {
        metrics.batchRows.observe({ model: graph }, rows);
        metrics.batchRequests.observe({ model: graph }, requests);
      },
      onQueueDepth: (depth) => metrics.queueDepth.set({ model: graph }, depth),
    }),
    (message) => app.log.warn(message),
    settings.threads,
  );
  const graphs = new Map<string, GraphModel>(models.flatMap((m) => m.graphs.map((g) => [g.name, g] as const)));
  let closing = false;

  // JSON as usual, but a body announcing a binary header (any content type) stays bytes for the OIP parser.
  app.removeContentTypeParser(['application/json']);
  app.addContentTypeParser(['application/json', 'application/octet-stream', '*'], { parseAs: 'buffer' }, (request, body, done) => {
    if (request.headers[HEADER_LENGTH] !== undefined) return done(null, body);
    const type = request.headers['content-type'] ?? '';
    if (!/^application\/json\b/i.test(type) && body.length > 0) return done(new HttpError(415, `the body must be application/json, or bytes with the ${HEADER_LENGTH} header; found content-type ${JSON.stringify(type)}`));
    try {
      done(null, body.length === 0 ? undefined : JSON.parse(body.toString('utf8')));
    } catch (error) {
      done(new HttpError(400, `the body is not valid JSON: ${(error as Error).message}`));
    }
  });

  // A page reads binary responses by Inference-Header-Content-Length and backs off by Retry-After: expose both.
  if (settings.cors) await app.register(cors, { origin: settings.cors, exposedHeaders: ['Inference-Header-Content-Length', 'Retry-After'] });

  // Stop taking work once closing (what is already queued still runs); health routes still answer.
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onRequest', async (request) => {
    if (closing && !request.url.startsWith('/v2/health/')) {
      throw new HttpError(503, 'the server is shutting down: it finishes the requests it already has and takes no new ones; retry on another replica', { 'retry-after': '1' });
    }
  });

  app.addHook('onRequest', async (request) => {
    if (!settings.token || request.url.startsWith('/v2/health/') || (settings.cors && request.method === 'OPTIONS')) return;
    if (request.headers.authorization !== `Bearer ${settings.token}`) {
      throw new HttpError(401, request.headers.authorization ? 'the bearer token is wrong' : 'this server needs Authorization: Bearer <token> (--token-file)', { 'www-authenticate': 'Bearer' });
    }
  });

  app.addHook('onResponse', async (request, reply) => {
    const params = (request.params ?? {}) as { name?: string; model?: string };
    const route = request.routeOptions.url ?? 'unmatched';
    // Only served names become labels: a client naming random models must not grow the series without bound.
    const named = params.name ?? params.model;
    const model = named === undefined ? '' : graphs.has(named) || models.some((m) => m.name === named) ? named : 'unknown';
    metrics.requests.inc({ model, route, status: String(reply.statusCode) });
    metrics.latency.observe({ model, route }, reply.elapsedTime / 1000);
  });

  // Responses finished while closing end their connection: a keep-alive socket would hold close() for keepAliveTimeout.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  app.setErrorHandler(async (error, request, reply) => {
    const http = (error as { code?: string }).code === 'FST_ERR_CTP_BODY_TOO_LARGE'
      ? new HttpError(413, `the request body is larger than ${settings.bodyLimit} bytes (--body-limit); send fewer rows per request, or binary tensor data`)
      : httpErrorOf(error);
    if (http.statusCode >= 500) request.log.error({ err: error }, http.message);
    return reply.code(http.statusCode).headers(http.headers).send({ error: http.message });
  });
  app.setNotFoundHandler(async (request, reply) => reply.code(404).send({ error: `no route ${request.method} ${request.url.split('?')[0]}` }));

  oipRoutes(app, graphs, settings, () => !closing);
  vaekitRoutes(app, new Map(models.map((m) => [m.name, m])), settings);
  app.get('/metrics', async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));

  let closed: Promise<void> | null = null;
  return {
    app,
    models,
    metrics,
    async listen() {
      await app.listen({ host: settings.host, port: settings.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : settings.port;
      const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
      return `http://${host}:${port}`;
    },
    close() {
      closing = true;
      // Fastify's close stops accepting and waits for the requests in flight; dispose() waits for the SDK calls.
      closed ??= app.close().then(async () => {
        await Promise.all(models.map((m) => m.vae.dispose()));
      });
      return closed;
    },
  };
}
