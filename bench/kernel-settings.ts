/**
 * The wasm kernel settings the training benchmarks compare, switched in one process (each install
 * returns the live handle while installed, so settings can alternate round by round):
 * - `vaekit`: what `train()` runs (selectBackend('wasm') installs it);
 * - `xnnpack-products`: vaekit's kernels as they were before its heap kernels: matrix products and
 *   convolutions on XNNPACK (transposed operands copied first), tfjs' own Sum and Identity;
 * - `stock-conv-input`: vaekit's kernels but wasm's own scalar Conv2DBackpropInput;
 * - `stock`: tfjs-backend-wasm's own kernels (a conv model cannot train there: no Conv2DBackpropFilter).
 */
import { installColumnSums } from '../src/train/backend/column-sums.js';
import { installConv2DBackpropFilter } from '../src/train/backend/conv2d-backprop-filter.js';
import { installConv2DBackpropInput } from '../src/train/backend/conv2d-backprop-input.js';
import { installFastTransposedMatMul, setSimdGemmRouting } from '../src/train/backend/fast-transposed-matmul.js';
import { installIm2colConv2D } from '../src/train/backend/im2col-conv2d.js';
import { installSharedIdentity } from '../src/train/backend/shared-identity.js';

export const KERNEL_SETTINGS = ['vaekit', 'xnnpack-products', 'stock-conv-input', 'stock'] as const;
export type KernelSetting = (typeof KERNEL_SETTINGS)[number];

export function useKernels(setting: KernelSetting): void {
  const on = (install: () => { uninstall(): void }, wanted: boolean) => {
    const handle = install();
    if (!wanted) handle.uninstall();
  };
  on(installFastTransposedMatMul, setting !== 'stock');
  setSimdGemmRouting(setting === 'vaekit' || setting === 'stock-conv-input');
  on(installColumnSums, setting === 'vaekit' || setting === 'stock-conv-input');
  on(installSharedIdentity, setting === 'vaekit' || setting === 'stock-conv-input');
  on(installIm2colConv2D, setting === 'vaekit' || setting === 'stock-conv-input');
  on(installConv2DBackpropFilter, setting !== 'stock');
  on(installConv2DBackpropInput, setting === 'vaekit' || setting === 'xnnpack-products');
}
