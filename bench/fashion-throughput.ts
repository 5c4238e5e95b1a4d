/**
 * Training throughput and peak memory of the default MLP (784-400-20) and conv (channels 32,64,
 * stride 2, hidden 256, latent 20) VAEs on real Fashion-MNIST batches (batch 128).
 *
 * Rows run in rounds, the settings interleaved within each round so that the machine's load
 * hits them alike: the wasm backend with vaekit's kernels on one thread (with vaekit's Adam, as
 * `train()` runs, and with tfjs' Adam) and with `--workers 2` (data parallelism over two worker
 * threads, with where replica 0's step time went) — the MLP on vaekit's dense VAE step as `train()`
 * runs it, and also on tfjs' engine (`--engine tfjs`, 1 and 2 threads) — the wasm backend with its stock
 * Conv2DBackpropInput (vaekit's other wasm kernels stay: without its Conv2DBackpropFilter a conv
 * model does not train on wasm at all), vaekit's kernels as they were before its heap kernels
 * (matrix products on XNNPACK, tfjs' Sum and Identity: bench/kernel-settings.ts), and PyTorch on the same architecture (bench/pytorch/
 * fashion_vae.py, 1 and 2 threads; skipped with a note when `$BENCH_PYTHON`, default
 * /usr/bin/python3, has no torch). Each figure is the median over rounds, beside its CPU-time
 * form (samples per CPU second of the process: what a step costs on a shared machine). Conv on
 * tfjs' pure-JS cpu backend (about a minute a step) runs once, as the reference it had to train on
 * before vaekit's Conv2DBackpropFilter.
 *
 * Every row is a child process (bench/fashion-throughput-child.ts, or Python), so its peak RSS
 * (`maxRSS`) is its own. Prints JSON, then a table. Needs the Fashion-MNIST IDX files
 * (apt-get install dataset-fashion-mnist).
 * `npx tsx bench/fashion-throughput.ts [--mlp-steps N] [--conv-steps N] [--rounds N] [--cpu-conv-steps N (0 = skip)]`
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { option } from './options.js';

const MLP_STEPS = option('mlp-steps', 200);
const CONV_STEPS = option('conv-steps', 20);
const ROUNDS = option('rounds', 3);
const CPU_CONV_STEPS = option('cpu-conv-steps', 1, { min: 0 });
const PYTHON = process.env['BENCH_PYTHON'] ?? '/usr/bin/python3';

const CHILD = fileURLToPath(new URL('./fashion-throughput-child.ts', import.meta.url));
const PYTORCH = fileURLToPath(new URL('./pytorch/fashion_vae.py', import.meta.url));

interface Run {
  samplesPerSec: number;
  msPerStep: number;
  samplesPerCpuSec: number;
  cpuMsPerStep: number;
  finalObjective: number;
  peakRssMB: number;
  model?: string;
  blas?: string;
  framework?: string;
  stepBreakdownMs?: Record<string, number> | null;
}

interface Setting {
  /** Row label. */
  name: string;
  arch: 'mlp' | 'conv';
  command: string;
  args: string[];
}

function tfjs(name: string, arch: 'mlp' | 'conv', args: string[]): Setting {
  return { name, arch, command: process.execPath, args: ['--import', 'tsx', CHILD, '--model', arch, ...args] };
}

function pytorch(arch: 'mlp' | 'conv', threads: number, steps: number): Setting {
  return {
    name: `PyTorch CPU, ${threads} thread${threads > 1 ? 's' : ''}`,
    arch,
    command: PYTHON,
    args: [PYTORCH, '--model', arch, '--threads', String(threads), '--steps', String(steps)],
  };
}

function run(setting: Setting): Run {
  const result = spawnSync(setting.command, setting.args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const line = result.stdout?.split('\n').filter((l) => l.startsWith('{')).at(-1);
  if (result.status !== 0 || line === undefined) {
    // tfjs-wasm errors can carry its whole minified source: keep the first lines only.
    const stderr = (result.stderr ?? String(result.error)).split('\n').slice(0, 8).map((l) => l.slice(0, 300)).join('\n');
    throw new Error(`bench child ${setting.command} ${setting.args.join(' ')} failed with status ${result.status}:\n${stderr}`);
  }
  return JSON.parse(line) as Run;
}

function hasTorch(): string | null {
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status === 0) return null;
  return `${PYTHON} cannot import torch (${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)}): PyTorch rows skipped; set BENCH_PYTHON`;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
};

/** The run whose samples/s is the median (the upper one of an even count). */
const medianRun = (list: Run[]) => [...list].sort((a, b) => a.samplesPerSec - b.samplesPerSec)[list.length >> 1]!;

const torchMissing = hasTorch();
// vaekit's kernels before its heap kernels: products on XNNPACK, tfjs' Sum and Identity (bench/kernel-settings.ts).
const XNNPACK_PRODUCTS = 'wasm, products on XNNPACK, tfjs Sum/Identity';
// The MLP through tfjs' engine (with vaekit's kernels and Adam) instead of vaekit's dense VAE step: `--engine tfjs`.
const TFJS_ENGINE = "wasm, vaekit kernels, tfjs' engine";
const mlpSettings = [
  tfjs('wasm, vaekit kernels', 'mlp', ['--backend', 'wasm', '--steps', String(MLP_STEPS)]),
  tfjs('wasm, vaekit kernels, --workers 2', 'mlp', ['--backend', 'wasm', '--workers', '2', '--steps', String(MLP_STEPS)]),
  tfjs(TFJS_ENGINE, 'mlp', ['--backend', 'wasm', '--engine', 'tfjs', '--steps', String(MLP_STEPS)]),
  tfjs(`${TFJS_ENGINE}, --workers 2`, 'mlp', ['--backend', 'wasm', '--engine', 'tfjs', '--workers', '2', '--steps', String(MLP_STEPS)]),
  tfjs("wasm, vaekit kernels, tfjs' Adam", 'mlp', ['--backend', 'wasm', '--adam', 'tfjs', '--steps', String(MLP_STEPS)]),
  tfjs(XNNPACK_PRODUCTS, 'mlp', ['--backend', 'wasm', '--kernels', 'xnnpack-products', '--steps', String(MLP_STEPS)]),
];
const convSettings = [
  tfjs('wasm, vaekit kernels', 'conv', ['--backend', 'wasm', '--steps', String(CONV_STEPS)]),
  tfjs('wasm, vaekit kernels, --workers 2', 'conv', ['--backend', 'wasm', '--workers', '2', '--steps', String(CONV_STEPS)]),
  tfjs("wasm, vaekit kernels, tfjs' Adam", 'conv', ['--backend', 'wasm', '--adam', 'tfjs', '--steps', String(CONV_STEPS)]),
  tfjs('wasm, stock Conv2DBackpropInput', 'conv', ['--backend', 'wasm', '--kernels', 'stock', '--steps', String(CONV_STEPS)]),
  tfjs(XNNPACK_PRODUCTS, 'conv', ['--backend', 'wasm', '--kernels', 'xnnpack-products', '--steps', String(CONV_STEPS)]),
];
if (torchMissing === null) {
  mlpSettings.push(pytorch('mlp', 1, MLP_STEPS), pytorch('mlp', 2, MLP_STEPS));
  convSettings.push(pytorch('conv', 1, CONV_STEPS), pytorch('conv', 2, CONV_STEPS));
}

const loadBefore = loadavg()[0]!;
const runs = new Map<Setting, Run[]>();
const record = (s: Setting) => runs.set(s, [...(runs.get(s) ?? []), run(s)]);
for (let round = 0; round < ROUNDS; round++) for (const s of [...mlpSettings, ...convSettings]) record(s);
let cpuConv: Run | null = null;
// One cpu conv step takes about a minute: no warm-up (the pure-JS kernels have nothing to warm).
if (CPU_CONV_STEPS > 0) cpuConv = run(tfjs('cpu (pure JS)', 'conv', ['--backend', 'cpu', '--steps', String(CPU_CONV_STEPS), '--warmup', '0']));

const rows = [...runs.entries()].map(([s, list]) => ({
  model: s.arch,
  setting: s.name,
  runs: list.length,
  samplesPerSec: median(list.map((r) => r.samplesPerSec)),
  samplesPerSecEachRun: list.map((r) => r.samplesPerSec),
  samplesPerCpuSec: median(list.map((r) => r.samplesPerCpuSec)),
  peakRssMB: Math.max(...list.map((r) => r.peakRssMB)),
  finalObjective: list[0]!.finalObjective,
  ...(list[0]!.stepBreakdownMs ? { stepBreakdownMsOfMedianRun: medianRun(list).stepBreakdownMs } : {}),
  ...(list[0]!.blas ? { framework: list[0]!.framework, blas: list[0]!.blas } : {}),
}));
if (cpuConv) {
  rows.push({
    model: 'conv', setting: 'cpu (pure JS)', runs: 1, samplesPerSec: cpuConv.samplesPerSec, samplesPerSecEachRun: [cpuConv.samplesPerSec],
    samplesPerCpuSec: cpuConv.samplesPerCpuSec, peakRssMB: cpuConv.peakRssMB, finalObjective: cpuConv.finalObjective,
  });
}

const find = (model: string, setting: string) => rows.find((r) => r.model === model && r.setting === setting);
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : null);
const ratios = (model: 'mlp' | 'conv') => {
  const vaekit = find(model, 'wasm, vaekit kernels');
  const workers2 = find(model, 'wasm, vaekit kernels, --workers 2');
  return {
    workers2OverOneThread: ratio(workers2?.samplesPerSec, vaekit?.samplesPerSec),
    denseStepOverTfjsEngine: model === 'mlp' ? ratio(vaekit?.samplesPerSec, find(model, TFJS_ENGINE)?.samplesPerSec) : null,
    denseStepOverTfjsEngineWorkers2: model === 'mlp' ? ratio(workers2?.samplesPerSec, find(model, `${TFJS_ENGINE}, --workers 2`)?.samplesPerSec) : null,
    heapKernelsOverXnnpackProducts: ratio(vaekit?.samplesPerSec, find(model, XNNPACK_PRODUCTS)?.samplesPerSec),
    vaekitAdamOverTfjsAdam: ratio(vaekit?.samplesPerSec, find(model, "wasm, vaekit kernels, tfjs' Adam")?.samplesPerSec),
    workers2OverPyTorch1Thread: ratio(workers2?.samplesPerSec, find(model, 'PyTorch CPU, 1 thread')?.samplesPerSec),
    workers2OverPyTorch2Threads: ratio(workers2?.samplesPerSec, find(model, 'PyTorch CPU, 2 threads')?.samplesPerSec),
    overStockConv2DBackpropInput: model === 'conv' ? ratio(vaekit?.samplesPerSec, find(model, 'wasm, stock Conv2DBackpropInput')?.samplesPerSec) : null,
    overPyTorch1Thread: ratio(vaekit?.samplesPerSec, find(model, 'PyTorch CPU, 1 thread')?.samplesPerSec),
    overPyTorch2Threads: ratio(vaekit?.samplesPerSec, find(model, 'PyTorch CPU, 2 threads')?.samplesPerSec),
    cpuTimeOverPyTorch1Thread: ratio(vaekit?.samplesPerCpuSec, find(model, 'PyTorch CPU, 1 thread')?.samplesPerCpuSec),
  };
};
const report = {
  benchmark: 'fashion-throughput',
  data: 'Fashion-MNIST train split (60 000 × 28 × 28), seeded order, batch 128',
  models: { mlp: 'MLP 784-400-20', conv: 'conv 32-64 (stride 2) · 256-20' },
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  loadAverage: { before: loadBefore, after: loadavg()[0]! },
  rounds: ROUNDS,
  note: torchMissing,
  peakRss: 'process.resourceUsage().maxRSS (Python: ru_maxrss) of each child process: its whole life, the loaded data set included',
  rows,
  vaekitOver: { mlp: ratios('mlp'), conv: ratios('conv') },
  convWasmOverCpu: cpuConv ? ratio(find('conv', 'wasm, vaekit kernels')?.samplesPerSec, cpuConv.samplesPerSec) : null,
};
console.log(JSON.stringify(report, null, 2));
console.table(
  rows.map((r) => ({
    model: report.models[r.model as 'mlp' | 'conv'],
    setting: r.setting,
    'samples/s (median)': r.samplesPerSec,
    'each run': r.samplesPerSecEachRun.join(' '),
    'samples/CPU-s': r.samplesPerCpuSec,
    'peak RSS MB': r.peakRssMB,
    'replica 0 ms/step: gradient · wait · Adam · load': 'stepBreakdownMsOfMedianRun' in r && r.stepBreakdownMsOfMedianRun
      ? Object.values(r.stepBreakdownMsOfMedianRun).join(' · ')
      : '',
  })),
);
if (torchMissing) console.log(torchMissing);
