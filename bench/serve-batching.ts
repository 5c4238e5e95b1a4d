/**
 * Dynamic batching of `vaekit serve`: 64 concurrent connections (keep-alive, one request in flight
 * each, closed loop), each sending batch-1 OIP infer requests to a decoder graph, against the
 * server with batching (--max-batch-size 64) and without (--max-batch-size 1). Every other server
 * flag is the same in both runs (--max-queue-delay-ms 2, --threads, --no-log). A third run, the
 * ceiling, serves the same requests from the same server code with no graph running
 * (bench/serve-ceiling-server.ts): the requests/s the HTTP stack allows on this machine beside the
 * load generator, so ceiling / no batching is the most any batching could give.
 *
 * The load comes from autocannon (a dedicated HTTP load generator, in this process): a
 * closed-loop client written with fetch or node:http costs more CPU per request than the server
 * does, and on a 2-core machine it saturated the cores while the server sat ~40% idle, so the
 * ratio measured the client. autocannon writes pre-built requests on raw sockets and parses
 * responses with a minimal parser, leaving most of the CPU to the server.
 *
 * Requests: the binary tensor data extension (Inference-Header-Content-Length: a JSON header,
 * then the FP32 bytes of every input), output `mean` as raw bytes, as Triton's perf_analyzer
 * sends them; and, for models/mnist-mlp, the same request as JSON (input data and output as
 * JSON numbers). Rows:
 *   - models/mnist-mlp decoder (z [1, 20] → 784 pixels; 2 Gemm, ~110–146 µs per batch-1 run)
 *   - test/fixtures/models/conv-cvae decoder (z [1, 4], c [1, 10] → 784 pixels; transposed
 *     convolutions, a higher cost per row)
 * Each run: a 1 s warm-up (sessions, JIT, sockets), then a timed window. Client figures:
 * requests/s and p50/p99 latency (each response's time as autocannon measures it, µs precision).
 * Server figures, from GET /metrics before and after the window (vaekit_batch_size and
 * vaekit_batch_requests, observed once per ONNX Runtime run): runs/s and rows per run. CPU per
 * request: the server process's (every thread, /proc) and this process's (autocannon); they
 * depend less than requests/s on what else the machine runs (though contention inflates them), and
 * with the two cores busy, requests/s ≈ 2 cores / (server + client CPU per request).
 *
 * `npx tsx bench/serve-batching.ts [--connections 64] [--seconds 5] [--threads N]` (ONNX Runtime
 * intra-op threads of the server; 0: its default)
 *
 * Prints one JSON line, then a table.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { option } from './options.js';

const CONNECTIONS = option('connections', 64);
const SECONDS = option('seconds', 5);
const THREADS = option('threads', 0, { min: 0 });
const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** The part of autocannon's API used here (it ships no types). */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, resBytes: number, responseTime: number) => void): void;
}
type Autocannon = (options: Record<string, unknown>, done: (error: Error | null, result: AutocannonResult) => void) => AutocannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

function load(options: Record<string, unknown>, onResponse: (status: number, ms: number) => void): Promise<AutocannonResult> {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('response', (_client, status, _bytes, ms) => onResponse(status, ms));
  });
}

async function startServer(model: string, args: string[], ceiling: boolean) {
  const argv = ceiling ? ['bench/serve-ceiling-server.ts', model, ...args] : ['src/cli/main.ts', 'serve', model, '--port', '0', '--no-log', '--threads', String(THREADS), ...args];
  const child = spawn(process.execPath, ['--import', 'tsx', ...argv], {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
      const found = /listening on (http:\/\/\S+)/.exec(err)?.[1];
      if (found) resolve(found);
    });
    child.on('exit', (code) => reject(new Error(`vaekit serve exited with ${code}:\n${err}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { url, pid: child.pid!, stop: async () => (child.kill('SIGTERM'), exited) };
}

interface Metadata {
  inputs: { name: string; datatype: string; shape: number[] }[];
}

/** One batch-1 row per input: `c` one-hot (class 3), anything else a fixed smooth pattern. */
function row(input: Metadata['inputs'][number]): number[] {
  const size = input.shape.slice(1).reduce((a, b) => a * b, 1);
  return Array.from({ length: size }, (_, j) => (input.name === 'c' ? Number(j === 3) : Math.sin(3.7 + j * 1.3)));
}

/** The request: binary (JSON header + FP32 bytes, output `mean` as bytes) or all JSON. */
function inferRequest(metadata: Metadata, binary: boolean): { headers: Record<string, string>; body: Buffer } {
  const inputs = metadata.inputs.map((input) => ({ input, data: row(input) }));
  if (!binary) {
    const body = { inputs: inputs.map(({ input, data }) => ({ name: input.name, shape: [1, ...input.shape.slice(1)], datatype: 'FP32', data })), outputs: [{ name: 'mean' }] };
    return { headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) };
  }
  const header = Buffer.from(
    JSON.stringify({
      inputs: inputs.map(({ input, data }) => ({ name: input.name, shape: [1, ...input.shape.slice(1)], datatype: 'FP32', parameters: { binary_data_size: data.length * 4 } })),
      outputs: [{ name: 'mean', parameters: { binary_data: true } }],
    }),
  );
  const tensors = inputs.map(({ data }) => Buffer.from(Float32Array.from(data).buffer));
  return {
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, ...tensors]),
  };
}

/**
 * CPU seconds the server process has used (user + system, every thread: the event loop and ONNX
 * Runtime's pool), from /proc/<pid>/stat (Linux; null elsewhere). Per request, it does not depend
 * on what else the machine runs, unlike requests/s.
 */
function cpuSeconds(pid: number): number | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

/** vaekit_batch_size / vaekit_batch_requests (_count: ONNX Runtime runs; _sum: rows / requests) of one graph. */
async function scrape(url: string, graph: string) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name}\\{model="${graph}"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { runs: value('vaekit_batch_size_count'), rows: value('vaekit_batch_size_sum'), requests: value('vaekit_batch_requests_sum'), at: performance.now() };
}

async function measure(model: string, label: string, args: string[], binary: boolean, ceiling: boolean) {
  const server = await startServer(model, args, ceiling);
  try {
    const graph = `${model.split('/').at(-1)}-decoder`;
    const metaResponse = await fetch(`${server.url}/v2/models/${graph}`);
    if (!metaResponse.ok) throw new Error(`GET /v2/models/${graph}: ${metaResponse.status} ${await metaResponse.text()}`);
    const metadata = (await metaResponse.json()) as Metadata;
    const { headers, body } = inferRequest(metadata, binary);
    const options = { url: `${server.url}/v2/models/${graph}/infer`, method: 'POST', headers, body, connections: CONNECTIONS, pipelining: 1 };
    const check = (r: AutocannonResult, phase: string) => {
      if (r.errors || r.timeouts || r.non2xx) throw new Error(`${label} ${phase}: ${r.errors} errors, ${r.timeouts} timeouts, ${r.non2xx} non-2xx responses`);
    };
    check(await load({ ...options, duration: 1 }, () => {}), 'warm-up');
    const latencies: number[] = [];
    const before = await scrape(server.url, graph);
    const cpuBefore = cpuSeconds(server.pid);
    const clientBefore = process.cpuUsage();
    const result = await load({ ...options, duration: SECONDS }, (status, ms) => status === 200 && latencies.push(ms));
    const client = process.cpuUsage(clientBefore);
    const cpuAfter = cpuSeconds(server.pid);
    const after = await scrape(server.url, graph);
    check(result, 'timed run');
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
    const runs = after.runs - before.runs;
    const serverSeconds = (after.at - before.at) / 1000;
    return {
      model: model.split('/').at(-1)!,
      label,
      flags: `${ceiling ? 'ceiling server ' : ''}${args.join(' ')}`,
      body: binary ? 'binary' : 'JSON',
      requests: result['2xx'],
      rps: result['2xx'] / result.duration,
      p50Ms: pct(50),
      p99Ms: pct(99),
      runsPerSecond: runs / serverSeconds,
      serverCpuUsPerRequest: cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / result['2xx'],
      // autocannon runs in this process: its CPU per request is the load generator's share of the cores.
      clientCpuUsPerRequest: (client.user + client.system) / result['2xx'],
      rowsPerRun: runs ? (after.rows - before.rows) / runs : 0,
      requestsPerRun: runs ? (after.requests - before.requests) / runs : 0,
    };
  } finally {
    await server.stop();
  }
}

const SHARED = ['--max-queue-delay-ms', '2'];
const BATCHING = ['--max-batch-size', '64', ...SHARED];
const MODES = [
  { label: 'batching', args: BATCHING, ceiling: false },
  { label: 'no batching', args: ['--max-batch-size', '1', ...SHARED], ceiling: false },
  // The same server code and flags as 'batching', every graph run replaced by a copy (bench/serve-ceiling-server.ts).
  { label: 'ceiling', args: BATCHING, ceiling: true },
];
const ROWS = [
  { model: 'models/mnist-mlp', binary: true },
  { model: 'models/mnist-mlp', binary: false },
  { model: 'test/fixtures/models/conv-cvae', binary: true },
];

const round = (v: number, d = 2) => Number(v.toFixed(d));
const runs: Awaited<ReturnType<typeof measure>>[] = [];
for (const { model, binary } of ROWS) {
  for (const mode of MODES) runs.push(await measure(model, mode.label, mode.args, binary, mode.ceiling));
}
// speedup: batching / no batching; maxSpeedup: ceiling / no batching, the most any batching could give; ofCeiling: batching / ceiling.
const pairs = ROWS.map(({ model, binary }) => {
  const name = model.split('/').at(-1)!;
  const body = binary ? 'binary' : 'JSON';
  const [b, s, c] = MODES.map((m) => runs.find((r) => r.model === name && r.body === body && r.label === m.label)!);
  return { model: name, body, speedup: round(b!.rps / s!.rps), maxSpeedup: round(c!.rps / s!.rps), ofCeiling: round(b!.rps / c!.rps) };
});

console.log(
  JSON.stringify({
    bench: 'serve-batching',
    graph: 'decoder',
    load: 'autocannon',
    connections: CONNECTIONS,
    seconds: SECONDS,
    threads: THREADS,
    cores: availableParallelism(),
    cpu: cpus()[0]?.model,
    node: process.version,
    runs: runs.map((r) => ({
      model: r.model,
      body: r.body,
      flags: r.flags,
      rps: round(r.rps, 1),
      p50Ms: round(r.p50Ms),
      p99Ms: round(r.p99Ms),
      requests: r.requests,
      ortRunsPerSecond: round(r.runsPerSecond, 1),
      serverCpuUsPerRequest: r.serverCpuUsPerRequest === null ? null : round(r.serverCpuUsPerRequest, 1),
      clientCpuUsPerRequest: round(r.clientCpuUsPerRequest, 1),
      rowsPerRun: round(r.rowsPerRun),
      requestsPerRun: round(r.requestsPerRun),
    })),
    speedup: pairs,
    loadAverage: loadavg().map((v) => round(v)),
  }),
);
console.log(`\n${CONNECTIONS} connections (autocannon, keep-alive), batch-1 decoder requests, ${SECONDS} s each, ${availableParallelism()} cores, --threads ${THREADS}`);
console.log('model      body    server flags                                                   requests/s   p50 ms   p99 ms   graph runs/s   rows/run   CPU µs/request: server client');
for (const r of runs) {
  const cpu = r.serverCpuUsPerRequest === null ? '—' : r.serverCpuUsPerRequest.toFixed(0);
  console.log(
    `${r.model.padEnd(10)} ${r.body.padEnd(7)} ${r.flags.padEnd(62)} ${r.rps.toFixed(0).padStart(10)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)} ${r.runsPerSecond.toFixed(0).padStart(14)} ${r.rowsPerRun.toFixed(1).padStart(10)} ${cpu.padStart(22)} ${r.clientCpuUsPerRequest.toFixed(0).padStart(6)}`,
  );
}
console.log('\nrequests/s ratios: speedup = batching / no batching; most possible = ceiling / no batching; batching reaches the share "of ceiling"');
for (const p of pairs) console.log(`${p.model.padEnd(10)} ${p.body.padEnd(7)} speedup ${p.speedup}×, most possible ${p.maxSpeedup}×, of ceiling ${Math.round(p.ofCeiling * 100)}%`);
console.log(`load average during the bench (1, 5, 15 min): ${loadavg().map((v) => v.toFixed(2)).join(', ')}`);
