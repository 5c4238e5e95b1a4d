/** Every endpoint of a real `vaekit serve` (in-process, 127.0.0.1, a free port) against a local Vae. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vae } from '../../src/node.js';
import type { VaeServer } from '../../src/serve/server.js';
import { MODEL, ROOT, latentRow, post, startServer } from './serve-helpers.js';

let server: VaeServer;
let url: string;
let local: Vae;

beforeAll(async () => {
  ({ server, url } = await startServer());
  local = await Vae.load(`${ROOT}${MODEL}`);
});
afterAll(async () => {
  await server.close();
  await local.dispose();
});

const f32 = (values: ArrayLike<number>) => Array.from(Float32Array.from(values));

describe('Open Inference Protocol', () => {
  it('answers server metadata, liveness and readiness', async () => {
    expect(await (await fetch(`${url}/v2`)).json()).toEqual({ name: 'vaekit', version: '0.1.0', extensions: ['binary_tensor_data'] });
    expect((await fetch(`${url}/v2/health/live`)).status).toBe(200);
    expect((await fetch(`${url}/v2/health/ready`)).status).toBe(200);
    expect((await fetch(`${url}/v2/models/mnist-mlp-decoder/ready`)).status).toBe(200);
  });

  it('describes each graph as its own model, -1 for the batch', async () => {
    const encoder = await (await fetch(`${url}/v2/models/mnist-mlp-encoder`)).json();
    expect(encoder.inputs).toEqual([{ name: 'x', datatype: 'FP32', shape: [-1, 28, 28, 1] }]);
    expect(encoder.outputs).toEqual([{ name: 'mu', datatype: 'FP32', shape: [-1, 20] }, { name: 'logvar', datatype: 'FP32', shape: [-1, 20] }]);
    const decoder = await (await fetch(`${url}/v2/models/mnist-mlp-decoder`)).json();
    expect(decoder.inputs).toEqual([{ name: 'z', datatype: 'FP32', shape: [-1, 20] }]);
    expect(decoder.outputs.map((o: { name: string }) => o.name)).toEqual(['mean', 'logits']);
  });

  it('infers with JSON tensors, the same numbers as a local Vae', async () => {
    const z = [...latentRow(1), ...latentRow(2)];
    const response = await post(`${url}/v2/models/mnist-mlp-decoder/infer`, { id: 'a1', inputs: [{ name: 'z', shape: [2, 20], datatype: 'FP32', data: z }], outputs: [{ name: 'mean' }] });
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body.model_name).toBe('mnist-mlp-decoder');
    expect(body.id).toBe('a1');
    expect(body.outputs.map((o: { name: string }) => o.name)).toEqual(['mean']);
    const { mean } = await local.decode({ data: Float32Array.from(z), shape: [2, 20] });
    expect(body.outputs[0].shape).toEqual([2, 28, 28, 1]);
    expect(f32(body.outputs[0].data)).toEqual(Array.from(mean.data));

    // Row-major nested arrays, as KServe allows, give the same numbers as flat data.
    const nested = await post(`${url}/v2/models/mnist-mlp-decoder/infer`, { inputs: [{ name: 'z', shape: [2, 20], datatype: 'FP32', data: [latentRow(1), latentRow(2)] }], outputs: [{ name: 'mean' }] });
    expect(f32((await nested.json()).outputs[0].data)).toEqual(Array.from(mean.data));

    const x = await post(`${url}/v2/models/mnist-mlp-encoder/infer`, { inputs: [{ name: 'x', shape: [1, 28, 28, 1], datatype: 'FP32', data: Array.from(mean.data.subarray(0, 784)) }] });
    const encoded = await x.json();
    const { mu, logvar } = await local.encode({ data: mean.data.slice(0, 784), shape: [1, 28, 28, 1] });
    expect(f32(encoded.outputs[0].data)).toEqual(Array.from(mu.data));
    expect(f32(encoded.outputs[1].data)).toEqual(Array.from(logvar.data));
  });

  it('speaks the binary tensor data extension both ways', async () => {
    const z = Float32Array.from([...latentRow(3), ...latentRow(4), ...latentRow(5)]);
    const header = Buffer.from(JSON.stringify({
      inputs: [{ name: 'z', shape: [3, 20], datatype: 'FP32', parameters: { binary_data_size: z.byteLength } }],
      outputs: [{ name: 'mean', parameters: { binary_data: true } }, { name: 'logits' }],
    }));
    const response = await fetch(`${url}/v2/models/mnist-mlp-decoder/infer`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
      body: Buffer.concat([header, Buffer.from(z.buffer)]),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = Buffer.from(await response.arrayBuffer());
    const n = Number(response.headers.get('inference-header-content-length'));
    const json = JSON.parse(bytes.subarray(0, n).toString());
    expect(json.outputs[0]).toEqual({ name: 'mean', datatype: 'FP32', shape: [3, 28, 28, 1], parameters: { binary_data_size: 3 * 784 * 4 } });
    const mean = new Float32Array(bytes.subarray(n).buffer.slice(bytes.byteOffset + n, bytes.byteOffset + bytes.length));
    const expected = await local.decode({ data: z, shape: [3, 20] });
    expect(Array.from(mean)).toEqual(Array.from(expected.mean.data));
    expect(f32(json.outputs[1].data)).toEqual(Array.from(expected.logits!.data));
  });

  it('answers every model route under /versions/1 too, and 404 {"error"} for any other version', async () => {
    const metadata = await (await fetch(`${url}/v2/models/mnist-mlp-decoder`)).json();
    expect(metadata.versions).toEqual(['1']);
    expect(await (await fetch(`${url}/v2/models/mnist-mlp-decoder/versions/1`)).json()).toEqual(metadata);
    const ready = await fetch(`${url}/v2/models/mnist-mlp-decoder/versions/1/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ name: 'mnist-mlp-decoder', ready: true });
    const body = { inputs: [{ name: 'z', shape: [1, 20], datatype: 'FP32', data: latentRow(9) }], outputs: [{ name: 'mean' }] };
    const versioned = await (await post(`${url}/v2/models/mnist-mlp-decoder/versions/1/infer`, body)).json();
    expect(versioned.model_version).toBe('1');
    const { mean } = await local.decode({ data: Float32Array.from(latentRow(9)), shape: [1, 20] });
    expect(f32(versioned.outputs[0].data)).toEqual(Array.from(mean.data));

    const refusals = [
      await fetch(`${url}/v2/models/mnist-mlp-decoder/versions/2`),
      await fetch(`${url}/v2/models/mnist-mlp-decoder/versions/0/ready`),
      await post(`${url}/v2/models/mnist-mlp-decoder/versions/latest/infer`, body),
    ];
    expect(refusals.map((r) => r.status)).toEqual([404, 404, 404]);
    expect(await Promise.all(refusals.map((r) => r.json()))).toEqual(
      ['2', '0', 'latest'].map((v) => ({ error: `model 'mnist-mlp-decoder' has no version '${v}'; it has version '1' only` })),
    );
    expect((await fetch(`${url}/v2/models/nope/versions/1`)).status).toBe(404);
  });

  it('writes errors as {"error"} with the right status', async () => {
    const unknown = await post(`${url}/v2/models/nope/infer`, { inputs: [] });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toMatch(/no model 'nope'.*'mnist-mlp-decoder'/);
    const shape = await post(`${url}/v2/models/mnist-mlp-decoder/infer`, { inputs: [{ name: 'z', shape: [1, 19], datatype: 'FP32', data: latentRow(0, 19) }] });
    expect(shape.status).toBe(400);
    expect((await shape.json()).error).toBe("input 'z' must have shape [N, 20]; found [1,19]");
    const dtype = await post(`${url}/v2/models/mnist-mlp-decoder/infer`, { inputs: [{ name: 'z', shape: [1, 20], datatype: 'INT64', data: latentRow(0) }] });
    expect((await dtype.json()).error).toMatch(/datatype FP32; found "INT64"/);
    const bad = await fetch(`${url}/v2/models/mnist-mlp-decoder/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"inputs": [' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/not valid JSON/);
  });
});

describe('vaekit endpoints', () => {
  it('serves the manifest at the path the remote SDK reads', async () => {
    const response = await fetch(`${url}/vaekit/v1/models/mnist-mlp/manifest`);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(local.manifest)));
  });

  it('samples, reconstructs, encodes and scores like a local Vae with the same seeds', async () => {
    const sample = await (await post(`${url}/vaekit/v1/models/mnist-mlp/sample`, { n: 4, seed: 7, temperature: 0.8 })).json();
    const expected = await local.sample(4, { seed: 7, temperature: 0.8 });
    expect(sample.mean.shape).toEqual([4, 28, 28, 1]);
    expect(f32(sample.mean.data)).toEqual(Array.from(expected.mean.data));
    expect(f32(sample.z.data)).toEqual(Array.from(expected.z.data));

    const x = { shape: [4, 28, 28, 1], data: Array.from(expected.mean.data) };
    const recon = await (await post(`${url}/vaekit/v1/models/mnist-mlp/reconstruct`, { x })).json();
    expect(f32(recon.mean.data)).toEqual(Array.from((await local.reconstruct(expected.mean)).data));
    const encoded = await (await post(`${url}/vaekit/v1/models/mnist-mlp/encode`, { x })).json();
    expect(f32(encoded.mu.data)).toEqual(Array.from((await local.encode(expected.mean)).mu.data));

    const elbo = await (await post(`${url}/vaekit/v1/models/mnist-mlp/score`, { x, seed: 3 })).json();
    expect(elbo.elbo).toEqual(Array.from((await local.elbo(expected.mean, { seed: 3 })).perExample));
    const iwae = await (await post(`${url}/vaekit/v1/models/mnist-mlp/score`, { x, k: 8, seed: 3 })).json();
    const ll = await local.logLikelihood(expected.mean, { k: 8, seed: 3 });
    expect(iwae.nll).toEqual(Array.from(ll.perExample, (v) => -v));
  });

  it('answers a PNG grid with ?format=png or Accept: image/png', async () => {
    const sample = await post(`${url}/vaekit/v1/models/mnist-mlp/sample?format=png`, { n: 9, seed: 1 });
    expect(sample.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await sample.arrayBuffer()).subarray(1, 4).toString()).toBe('PNG');
    const { mean } = await local.sample(2, { seed: 1 });
    const recon = await post(`${url}/vaekit/v1/models/mnist-mlp/reconstruct`, { x: { shape: [2, 28, 28, 1], data: Array.from(mean.data) } }, { accept: 'image/png' });
    expect(recon.status).toBe(200);
    expect(recon.headers.get('content-type')).toBe('image/png');
  });

  it('validates bodies with the route schemas, naming what was expected', async () => {
    const response = await post(`${url}/vaekit/v1/models/mnist-mlp/sample`, { seed: 1 });
    expect(response.status).toBe(400);
    expect((await response.json()).error).toMatch(/must have required property 'n'/);
    const wrong = await post(`${url}/vaekit/v1/models/mnist-mlp/encode`, { x: { shape: [1, 27, 28, 1], data: new Array(756).fill(0) } });
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toMatch(/shape/);
    expect((await post(`${url}/vaekit/v1/models/other/sample`, { n: 1 })).status).toBe(404);
  });

  it('exports Prometheus metrics by model, route and status', async () => {
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/vaekit_requests_total\{model="mnist-mlp-decoder",route="\/v2\/models\/:name\/infer",status="200"\} \d+/);
    expect(text).toMatch(/vaekit_request_duration_seconds_bucket\{le="[^"]+",model="mnist-mlp",route="\/vaekit\/v1\/models\/:model\/sample"\}/);
    expect(text).toMatch(/vaekit_batch_size_count\{model="mnist-mlp-decoder"\} \d+/);
    expect(text).toContain('vaekit_queue_depth{model="mnist-mlp-decoder"} 0');
    expect(text).toMatch(/vaekit_requests_total\{model="unknown",route="\/v2\/models\/:name\/infer",status="404"\} 1/);
    expect(text).not.toContain('model="nope"');
  });
});
