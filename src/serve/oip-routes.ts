/**
 * The Open Inference Protocol (KServe v2) REST endpoints, as Triton and KServe serve them. Every
 * model route also answers under `/versions/{version}`; each graph model has one version, "1".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GraphModel } from './graph-model.js';
import { HttpError } from './http-error.js';
import { HEADER_LENGTH, MODEL_VERSION, inferResponse, parseInfer } from './oip-tensors.js';
import type { ServeSettings } from './settings.js';

type Handler = (request: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

export function oipRoutes(app: FastifyInstance, graphs: Map<string, GraphModel>, settings: ServeSettings, isReady: () => boolean): void {
  /** The graph model the path names, at the version it names (when it names one). */
  const graph = (request: FastifyRequest): GraphModel => {
    const { name, version } = request.params as { name: string; version?: string };
    const found = graphs.get(name);
    if (!found) throw new HttpError(404, `no model '${name}'; this server has ${[...graphs.keys()].map((m) => `'${m}'`).join(', ')}`);
    if (version !== undefined && version !== MODEL_VERSION) throw new HttpError(404, `model '${name}' has no version '${version}'; it has version '${MODEL_VERSION}' only`);
    return found;
  };
  /** A model route at `/v2/models/:name{path}` and `/v2/models/:name/versions/:version{path}`. */
  const modelRoute = (method: 'GET' | 'POST', path: string, handler: Handler) => {
    for (const prefix of ['/v2/models/:name', '/v2/models/:name/versions/:version']) app.route({ method, url: `${prefix}${path}`, handler });
  };

  app.get('/v2', async () => ({ name: 'vaekit', version: settings.version, extensions: ['binary_tensor_data'] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  modelRoute('GET', '', async (request) => {
    const g = graph(request);
    return { name: g.name, versions: [MODEL_VERSION], platform: 'onnxruntime_onnx', inputs: g.inputs, outputs: g.outputs };
  });
  modelRoute('GET', '/ready', async (request, reply) => {
    const g = graph(request);
    const ready = isReady();
    return reply.code(ready ? 200 : 503).send({ name: g.name, ready });
  });
  modelRoute('POST', '/infer', async (request, reply) => {
    const g = graph(request);
    const headerLength = request.headers[HEADER_LENGTH];
    const parsed = parseInfer(g, request.body, Array.isArray(headerLength) ? headerLength[0] : headerLength, settings.maxRequestRows);
    const result = await g.batcher.submit(parsed.request, parsed.request.rows);
    const response = inferResponse(g, parsed, result);
    if ('json' in response) return response.json;
    return reply.header('Inference-Header-Content-Length', String(response.headerLength)).type('application/octet-stream').send(response.bytes);
  });
}
