/**
 * Dynamic batching of `vaekit serve`: 64 concurrent clients, each sending batch-1 OIP infer
 * requests (JSON input; output `mean` as JSON, and again as raw bytes with the binary tensor data
 * extension, as Triton's perf_analyzer asks) to the decoder of models/mnist-mlp in a closed loop,
 * against the server with batching (--max-batch-size 64, --max-queue-delay-ms 2) and without
 * (--max-batch-size 1).
 * The server is the CLI as a child on 127.0.0.1 (a free port, no request logs); the clients share
 * this process (node:http, keep-alive). Requests/s and p50/p99 latency over a timed window after a warm-up.
 * `npx tsx bench/serve-batching.ts [--clients 64] [--seconds 5] [--threads N]` (ONNX Runtime intra-op threads of the server; 0: its default)
 *
 * Prints one JSON line, then a table.
 */
import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { option } from './options.js';

const CLIENTS = option('clients', 64);
const SECONDS = option('seconds', 5);
const THREADS = option('threads', 0, { min: 0 });
const ROOT = fileURLToPath(new URL('../', import.meta.url));

async function startServer(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', 'models/mnist-mlp', '--port', '0', '--no-log', '--threads', String(THREADS), ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
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
  return { url, stop: async () => (child.kill('SIGTERM'), exited) };
}

function post(agent: Agent, url: URL, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(res.statusCode) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function measure(label: string, args: string[], binary: boolean) {
  const server = await startServer(args);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const url = new URL(`${server.url}/v2/models/mnist-mlp-decoder/infer`);
  const bodies = Array.from({ length: CLIENTS }, (_, i) =>
    JSON.stringify({ inputs: [{ name: 'z', shape: [1, 20], datatype: 'FP32', data: Array.from({ length: 20 }, (_, j) => Math.sin(i * 3.7 + j)) }], outputs: [{ name: 'mean', parameters: { binary_data: binary } }] }));
  const latencies: number[] = [];
  let recording = false;
  let stop = false;
  const client = async (i: number) => {
    while (!stop) {
      const start = performance.now();
      await post(agent, url, bodies[i]!);
      if (recording) latencies.push(performance.now() - start);
    }
  };
  const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
  await new Promise((r) => setTimeout(r, 1000)); // warm-up: sessions, JIT, sockets
  recording = true;
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  recording = false;
  const elapsed = (performance.now() - t0) / 1000;
  const count = latencies.length;
  stop = true;
  await Promise.all(clients);
  agent.destroy();
  const code = await server.stop();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(count - 1, Math.floor((p / 100) * count))]!;
  return { label, args: args.join(' '), output: binary ? 'binary' : 'JSON', requests: count, rps: count / elapsed, p50Ms: pct(50), p99Ms: pct(99), exitCode: code };
}

const round = (v: number, d = 2) => Number(v.toFixed(d));
const runs: Awaited<ReturnType<typeof measure>>[] = [];
for (const binary of [false, true]) {
  runs.push(await measure('batching', ['--max-batch-size', '64', '--max-queue-delay-ms', '2'], binary));
  runs.push(await measure('no batching', ['--max-batch-size', '1'], binary));
}
const speedup = (output: string) => {
  const [b, s] = runs.filter((r) => r.output === output);
  return round(b!.rps / s!.rps);
};

console.log(JSON.stringify({
  bench: 'serve-batching',
  model: 'models/mnist-mlp decoder',
  clients: CLIENTS,
  seconds: SECONDS,
  threads: THREADS,
  cores: availableParallelism(),
  cpu: cpus()[0]?.model,
  node: process.version,
  runs: runs.map((r) => ({ output: r.output, flags: r.args, rps: round(r.rps, 1), p50Ms: round(r.p50Ms), p99Ms: round(r.p99Ms), requests: r.requests })),
  speedup: { json: speedup('JSON'), binary: speedup('binary') },
}));
console.log(`\n${CLIENTS} concurrent batch-1 clients, ${SECONDS} s each, ${availableParallelism()} cores`);
console.log('output  server flags                                 requests/s   p50 ms   p99 ms');
for (const r of runs) {
  console.log(`${r.output.padEnd(7)} ${r.args.padEnd(44)} ${r.rps.toFixed(0).padStart(10)} ${r.p50Ms.toFixed(2).padStart(8)} ${r.p99Ms.toFixed(2).padStart(8)}`);
}
console.log(`speedup with batching: JSON ${speedup('JSON')}×, binary ${speedup('binary')}×`);
