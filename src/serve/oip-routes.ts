/** The Open Inference Protocol (KServe v2) REST endpoints, as Triton and KServe serve them. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { GraphModel } from './graph-model.js';
import { HttpError } from './http-error.js';
import { HEADER_LENGTH, inferResponse, parseInfer } from './oip-tensors.js';
import type { ServeSettings } from './settings.js';

export function oipRoutes(app: FastifyInstance, graphs: Map<string, GraphModel>, settings: ServeSettings, isReady: () => boolean): void {
  const graph = (request: FastifyRequest): GraphModel => {
    const name = (request.params as { name: string }).name;
    const found = graphs.get(name);
    if (!found) throw new HttpError(404, `no model '${name}'; this server has ${[...graphs.keys()].map((m) => `'${m}'`).join(', ')}`);
    return found;
  };

  app.get('/v2', async () => ({ name: 'vaekit', version: settings.version, extensions: ['binary_tensor_data'] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => {
    const ready = isReady();
    return reply.code(ready ? 200 : 503).send({ ready });
  });
  app.get('/v2/models/:name', async (request) => {
    const g = graph(request);
    return { name: g.name, versions: ['1'], platform: 'onnxruntime_onnx', inputs: g.inputs, outputs: g.outputs };
  });
  app.get('/v2/models/:name/ready', async (request, reply) => {
    graph(request);
    const ready = isReady();
    return reply.code(ready ? 200 : 503).send({ name: (request.params as { name: string }).name, ready });
  });
  app.post('/v2/models/:name/infer', async (request, reply) => {
    const g = graph(request);
    const headerLength = request.headers[HEADER_LENGTH];
    const parsed = parseInfer(g, request.body, Array.isArray(headerLength) ? headerLength[0] : headerLength, settings.maxRequestRows);
    const result = await g.batcher.submit(parsed.request, parsed.request.rows);
    const response = inferResponse(g, parsed, result);
    if ('json' in response) return response.json;
    return reply.header('Inference-Header-Content-Length', String(response.headerLength)).type('application/octet-stream').send(response.bytes);
  });
}
