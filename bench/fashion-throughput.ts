/**
 * Training throughput and peak memory of the default MLP (784-400-20) and conv (channels 32,64,
 * stride 2, hidden 256, latent 20) VAEs on real Fashion-MNIST batches (batch 128): both on the wasm
 * backend with vaekit's kernels, and conv also on tfjs' pure-JS cpu backend as the reference it
 * had to train on before vaekit's Conv2DBackpropFilter (about a minute per step here). Each row
 * runs in a child process (bench/fashion-throughput-child.ts) so that its peak RSS
 * (`process.resourceUsage().maxRSS`) is its own; rows run one after another. Prints JSON, then a
 * table. Needs the Fashion-MNIST IDX files (apt-get install dataset-fashion-mnist).
 * `npx tsx bench/fashion-throughput.ts [--mlp-steps N] [--conv-steps N] [--cpu-conv-steps N (0 = skip)]`
 */
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { option } from './options.js';

const MLP_STEPS = option('mlp-steps', 200);
const CONV_STEPS = option('conv-steps', 40);
const CPU_CONV_STEPS = option('cpu-conv-steps', 1, { min: 0 });

const CHILD = fileURLToPath(new URL('./fashion-throughput-child.ts', import.meta.url));

interface Row {
  model: string;
  arch: 'mlp' | 'conv';
  backend: string;
  batchSize: number;
  warmupSteps: number;
  steps: number;
  samplesPerSec: number;
  msPerStep: number;
  finalObjective: number;
  peakRssMB: number;
  rssAfterDataMB: number;
  wasmHeapMB: number | null;
}

function run(args: string[]): Row {
  const result = spawnSync(process.execPath, ['--import', 'tsx', CHILD, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = result.stdout.split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (result.status !== 0 || line === undefined) {
    // tfjs-wasm errors can carry its whole minified source: keep the first lines only.
    const stderr = result.stderr.split('\n').slice(0, 8).map((l) => l.slice(0, 300)).join('\n');
    throw new Error(`bench child ${args.join(' ')} failed with status ${result.status}:\n${stderr}`);
  }
  return JSON.parse(line) as Row;
}

const rows: Row[] = [
  run(['--model', 'mlp', '--backend', 'wasm', '--steps', String(MLP_STEPS)]),
  run(['--model', 'conv', '--backend', 'wasm', '--steps', String(CONV_STEPS)]),
];
// One cpu conv step takes about a minute: no warm-up (the pure-JS kernels have nothing to warm).
if (CPU_CONV_STEPS > 0) rows.push(run(['--model', 'conv', '--backend', 'cpu', '--steps', String(CPU_CONV_STEPS), '--warmup', '0']));

const convWasm = rows[1]!;
const convCpu = rows[2];
const report = {
  benchmark: 'fashion-throughput',
  data: 'Fashion-MNIST train split (60 000 × 28 × 28), seeded order',
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  peakRss: 'process.resourceUsage().maxRSS of each child process: its whole life, the loaded data set included',
  rows,
  convWasmOverCpu: convCpu ? Math.round((convWasm.samplesPerSec / convCpu.samplesPerSec) * 10) / 10 : null,
};
console.log(JSON.stringify(report, null, 2));
console.table(
  rows.map((r) => ({
    model: r.model,
    backend: r.backend === 'wasm' ? 'wasm + vaekit kernels' : `${r.backend} (stock tfjs)`,
    'samples/s': r.samplesPerSec,
    'ms/step': r.msPerStep,
    'peak RSS MB': r.peakRssMB,
    'RSS after data MB': r.rssAfterDataMB,
    steps: `${r.warmupSteps} + ${r.steps}`,
  })),
);
