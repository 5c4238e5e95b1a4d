/**
 * Where a conv VAE training step's time goes, by tfjs kernel: the default conv VAE (channels 32,64,
 * stride 2, hidden 256, latent 20, batch 128) on real Fashion-MNIST batches on the wasm backend,
 * with vaekit's kernels, with the stock wasm Conv2DBackpropInput (vaekit's other kernels stay:
 * stock wasm cannot train a conv model at all), and with vaekit's kernels as they were before its
 * heap kernels (matrix products on XNNPACK, tfjs' Sum and Identity; bench/kernel-settings.ts). Rounds alternate between the two settings in one
 * process, so machine load hits both alike. Kernel time is tfjs' own profile (`tf.profile`, kernels
 * called inside vaekit's kernels counted as the outer one) with this process's CPU time around
 * each kernel call instead of wall time; the whole step's CPU and wall time close the table.
 * Prints JSON, then a table of CPU ms per step by kernel (kernels under 0.5 ms left out).
 * `npx tsx bench/conv-profile.ts [--steps N per round] [--rounds N]`
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpus } from 'node:os';
import { selectBackend } from '../src/train/backend/select-backend.js';
import { loadFashionMnist } from '../src/train/data/fashion-mnist.js';
import { fashionStep } from './fashion-step.js';
import { useKernels } from './kernel-settings.js';
import { option } from './options.js';

const STEPS = option('steps', 5);
const ROUNDS = option('rounds', 3);

interface Setting {
  name: string;
  apply(): void;
}

const SETTINGS: Setting[] = [
  { name: 'stock Conv2DBackpropInput', apply: () => useKernels('stock-conv-input') },
  { name: 'products on XNNPACK, tfjs Sum/Identity', apply: () => useKernels('xnnpack-products') },
  { name: 'vaekit kernels', apply: () => useKernels('vaekit') },
];

await selectBackend('wasm');
// Kernel time as this process's CPU time (user + system) rather than wall time: on a loaded
// machine wall time counts the other processes' turns too. tfjs-wasm runs every kernel on this
// thread, so CPU time is the kernel's own work.
(tf.backend() as unknown as { time(f: () => void): Promise<{ kernelMs: number }> }).time = async (f) => {
  const start = process.cpuUsage();
  f();
  const used = process.cpuUsage(start);
  return { kernelMs: (used.user + used.system) / 1000 };
};
const data = await loadFashionMnist();
const run = await fashionStep('conv', data);
for (let i = 0; i < 2; i++) run.step(); // warm-up: XNNPACK operators, Adam state

const totals = new Map<string, { wallMs: number; cpuMs: number; kernels: Map<string, { ms: number; calls: number }> }>();
for (const s of SETTINGS) totals.set(s.name, { wallMs: 0, cpuMs: 0, kernels: new Map() });
for (let round = 0; round < ROUNDS; round++) {
  for (const setting of SETTINGS) {
    setting.apply();
    run.step(); // one unprofiled step after a switch
    const total = totals.get(setting.name)!;
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const profile = await tf.profile(() => {
      for (let i = 0; i < STEPS; i++) run.step();
    });
    total.wallMs += performance.now() - start;
    const cpu = process.cpuUsage(cpuStart);
    total.cpuMs += (cpu.user + cpu.system) / 1000;
    for (const k of profile.kernels) {
      const entry = total.kernels.get(k.name) ?? { ms: 0, calls: 0 };
      entry.ms += k.kernelTimeMs as number;
      entry.calls += 1;
      total.kernels.set(k.name, entry);
    }
  }
}
run.dispose();

const stepsPerSetting = STEPS * ROUNDS;
const round2 = (v: number) => Math.round(v * 100) / 100;
const settings = SETTINGS.map((s) => {
  const t = totals.get(s.name)!;
  const kernels = [...t.kernels.entries()]
    .map(([name, k]) => ({ kernel: name, msPerStep: round2(k.ms / stepsPerSetting), callsPerStep: k.calls / stepsPerSetting }))
    .sort((a, b) => b.msPerStep - a.msPerStep);
  const kernelMs = kernels.reduce((sum, k) => sum + k.msPerStep, 0);
  return { setting: s.name, wallMsPerStep: round2(t.wallMs / stepsPerSetting), cpuMsPerStep: round2(t.cpuMs / stepsPerSetting), kernelMsPerStep: round2(kernelMs), kernels };
});
const report = {
  benchmark: 'conv-profile',
  model: run.model,
  batchSize: run.batchSize,
  backend: 'wasm',
  stepsPerSetting,
  node: process.version,
  cpu: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  settings,
};
console.log(JSON.stringify(report, null, 2));
const names = [...new Set(settings.flatMap((s) => s.kernels.map((k) => k.kernel)))];
const rows = names.map((kernel) => {
  const row: Record<string, string | number> = { kernel };
  for (const s of settings) row[`${s.setting} ms/step`] = s.kernels.find((k) => k.kernel === kernel)?.msPerStep ?? 0;
  return row;
});
rows.sort((a, b) => (b[`${settings[0]!.setting} ms/step`] as number) - (a[`${settings[0]!.setting} ms/step`] as number));
const totalRow: Record<string, string | number> = { kernel: '(all kernels)' };
const cpuRow: Record<string, string | number> = { kernel: '(CPU, whole step)' };
const wallRow: Record<string, string | number> = { kernel: '(wall, whole step)' };
for (const s of settings) {
  totalRow[`${s.setting} ms/step`] = s.kernelMsPerStep;
  cpuRow[`${s.setting} ms/step`] = s.cpuMsPerStep;
  wallRow[`${s.setting} ms/step`] = s.wallMsPerStep;
}
console.table([...rows.filter((r) => settings.some((s) => (r[`${s.setting} ms/step`] as number) >= 0.5)), totalRow, cpuRow, wallRow]);
