/**
 * vaekit's own endpoints (`/vaekit/v1/models/{model}/…`), computed by the SDK on the server: the
 * same seeds give the same numbers as a local Vae. Sample and reconstruct can answer with a PNG grid.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { imageDims } from '../vae/pixel-layout.js';
import type { VaeTensor } from '../vae/tensor.js';
import { HttpError } from './http-error.js';
import type { ServedModel } from './served-model.js';
import type { ServeSettings } from './settings.js';

const tensorSchema = {
  type: 'object',
  required: ['shape', 'data'],
  properties: { shape: { type: 'array', items: { type: 'integer', minimum: 0 } }, data: { type: 'array' } },
} as const;
const seed = { type: 'integer', minimum: 0 } as const;
const c = { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'array', items: { type: 'integer', minimum: 0 } }] } as const;
const body = (required: string[], properties: Record<string, object>) => ({ body: { type: 'object', required, additionalProperties: false, properties } });
const SCHEMAS = {
  sample: body(['n'], { n: { type: 'integer', minimum: 1 }, seed, temperature: { type: 'number', exclusiveMinimum: 0 }, c }),
  reconstruct: body(['x'], { x: tensorSchema, seed, c }),
  encode: body(['x'], { x: tensorSchema, c }),
  score: body(['x'], { x: tensorSchema, k: { type: 'integer', minimum: 1 }, seed, c }),
};

interface Tensor { shape: number[]; data: unknown[] }
const json = (t: { shape: readonly number[]; data: ArrayLike<number> }) => ({ shape: [...t.shape], data: Array.from(t.data) });

export function vaekitRoutes(app: FastifyInstance, models: Map<string, ServedModel>, settings: ServeSettings): void {
  const model = (request: FastifyRequest): ServedModel => {
    const name = (request.params as { model: string }).model;
    const found = models.get(name);
    if (!found) throw new HttpError(404, `no model '${name}'; this server has ${[...models.keys()].map((m) => `'${m}'`).join(', ')}`);
    return found;
  };

  /** Runs one SDK call, bounded like the graph queues and by --timeout-ms. */
  const call = async <T>(served: ServedModel, work: () => Promise<T>): Promise<T> => {
    if (served.calls >= settings.maxQueue) throw new HttpError(429, `model '${served.name}' is busy (${served.calls} calls running, --max-queue ${settings.maxQueue}); retry later`, { 'retry-after': '1' });
    served.calls++;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        if (settings.timeoutMs > 0) timer = setTimeout(() => reject(new HttpError(504, `the request did not finish within ${settings.timeoutMs} ms (--timeout-ms)`)), settings.timeoutMs);
      });
      return await Promise.race([work(), timeout]);
    } finally {
      clearTimeout(timer);
      served.calls--;
    }
  };

  const examples = (x: Tensor): VaeTensor => {
    const rows = x.shape[0] ?? 0;
    if (rows > settings.maxRequestRows) throw new HttpError(413, `'x' has ${rows} rows; a request holds at most ${settings.maxRequestRows} (--max-request-rows)`);
    const data = new Float32Array(x.data.length);
    x.data.forEach((v, i) => {
      if (typeof v !== 'number') throw new HttpError(400, `'x.data' must hold numbers; found ${JSON.stringify(v)} at index ${i}`);
      data[i] = v;
    });
    return { shape: x.shape, data };
  };

  const wantsPng = (request: FastifyRequest) => (request.query as { format?: string }).format === 'png' || /\bimage\/png\b/.test(request.headers.accept ?? '');
  const png = (reply: FastifyReply, bytes: Uint8Array) => reply.type('image/png').send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  const grid = (served: ServedModel, count: number) => {
    const { shape, layout } = served.vae.manifest.input;
    const dims = imageDims(shape, layout);
    if (!dims || layout === 'features' || (dims.channels !== 1 && dims.channels !== 3)) throw new HttpError(400, `model '${served.name}' has input shape [${served.vae.inputShape.join(', ')}] (layout ${served.vae.manifest.input.layout}); a PNG needs 1- or 3-channel images`);
    return { count, height: dims.height, width: dims.width, channels: dims.channels as 1 | 3, layout };
  };
  const pngEncoder = () => {
    if (!settings.png) throw new HttpError(400, 'this server was started without PNG support; ask for JSON');
    return settings.png;
  };

  app.get('/vaekit/v1/models/:model/manifest', async (request) => model(request).vae.manifest);

  app.post('/vaekit/v1/models/:model/sample', { schema: SCHEMAS.sample }, async (request, reply) => {
    const served = model(request);
    const b = request.body as { n: number; seed?: number; temperature?: number; c?: number | number[] };
    if (b.n > settings.maxRequestRows) throw new HttpError(413, `'n' is ${b.n}; a request holds at most ${settings.maxRequestRows} rows (--max-request-rows)`);
    const asPng = wantsPng(request);
    const options = asPng ? grid(served, b.n) : null;
    const out = await call(served, () => served.vae.sample(b.n, { seed: b.seed, temperature: b.temperature, c: b.c }));
    if (options) return png(reply, pngEncoder().grid(out.mean.data, { ...options, columns: Math.ceil(Math.sqrt(b.n)) }));
    return { mean: json(out.mean), z: json(out.z) };
  });

  app.post('/vaekit/v1/models/:model/reconstruct', { schema: SCHEMAS.reconstruct }, async (request, reply) => {
    const served = model(request);
    const b = request.body as { x: Tensor; seed?: number; c?: number | number[] };
    const x = examples(b.x);
    const options = wantsPng(request) ? grid(served, x.shape[0] ?? 0) : null;
    const mean = await call(served, () => served.vae.reconstruct(x, { seed: b.seed, c: b.c }));
    if (options) return png(reply, pngEncoder().pairs(x.data, mean.data, { ...options, columns: 8 }));
    return { mean: json(mean) };
  });

  app.post('/vaekit/v1/models/:model/encode', { schema: SCHEMAS.encode }, async (request) => {
    const served = model(request);
    const b = request.body as { x: Tensor; c?: number | number[] };
    const x = examples(b.x);
    const { mu, logvar } = await call(served, () => served.vae.encode(x, { c: b.c }));
    return { mu: json(mu), logvar: json(logvar) };
  });

  app.post('/vaekit/v1/models/:model/score', { schema: SCHEMAS.score }, async (request) => {
    const served = model(request);
    const b = request.body as { x: Tensor; k?: number; seed?: number; c?: number | number[] };
    const x = examples(b.x);
    if (b.k === undefined) {
      const r = await call(served, () => served.vae.elbo(x, { seed: b.seed, c: b.c }));
      return { elbo: Array.from(r.perExample), mean: r.mean, logLikelihood: Array.from(r.logLikelihood), kl: Array.from(r.kl) };
    }
    const k = b.k;
    const r = await call(served, () => served.vae.logLikelihood(x, { k, seed: b.seed, c: b.c }));
    // IWAE-K: log p(x) estimated with k importance samples; the NLL is its negative.
    return { k, logLikelihood: Array.from(r.perExample), nll: Array.from(r.perExample, (v) => -v), meanNll: -r.mean };
  });
}
