/**
 * Adam on the shared weights of data-parallel training. Each replica updates its own contiguous
 * share of the parameters — summing the replicas' gradients for those parameters in rank order —
 * so the update costs 1/workers of a step per thread, and the weights, first and second moments live
 * once, in shared memory, where the main thread reads them for checkpoints.
 *
 * Each operation is tfjs' Adam (adam_optimizer.js, applyGradients) in the same order, every result
 * rounded to float32 as the tfjs kernels round it: on the same gradient it gives the same bits as
 * tf.train.adam, so a run's only difference from one thread is the order of the gradient sum.
 * Arrays in a shared WebAssembly.Memory go through adam-simd.wat (f32x4: four parameters per
 * instruction; the JavaScript loop below took 5.6 ms for the MLP's half of 650 000 parameters).
 */
import { ADAM_SIMD_WASM_BASE64 } from './adam-simd-wasm.js';

const f = Math.fround;

type AdamKernel = (
  w: number, m: number, v: number, g: number, stride: number, slots: number, n: number,
  b1: number, b2: number, c1: number, c2: number, oneMinusAcc1: number, oneMinusAcc2: number, eps: number, negLr: number,
) => void;

let compiled: WebAssembly.Module | undefined;

const PAGE = 65_536;

/** A shared wasm memory of at least `bytes` (what adam-simd.wat imports), which never grows: views of it stay valid. */
export function sharedWasmMemory(bytes: number): WebAssembly.Memory {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  return new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true });
}

/** adam-simd.wat's `adam`, on `memory`. */
function simdKernel(memory: WebAssembly.Memory): AdamKernel {
  compiled ??= new WebAssembly.Module(Buffer.from(ADAM_SIMD_WASM_BASE64, 'base64'));
  return new WebAssembly.Instance(compiled, { env: { memory } }).exports['adam'] as AdamKernel;
}

export interface AdamConstants {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface AdamBuffers {
  weights: Float32Array;
  m: Float32Array;
  v: Float32Array;
  /** The replicas' gradient slots of this step, in rank order. */
  gradients: Float32Array[];
}

export class SharedAdam {
  /** β₁ᵗ and β₂ᵗ as tfjs keeps them (float32 variables multiplied by β each step). */
  accBeta1: number;
  accBeta2: number;

  private readonly kernel: AdamKernel | null;

  /** `memory`: the shared memory the buffers live in, for the SIMD kernel. */
  constructor(private readonly constants: AdamConstants, accBeta1: number, accBeta2: number, private readonly memory?: WebAssembly.Memory) {
    this.accBeta1 = f(accBeta1);
    this.accBeta2 = f(accBeta2);
    this.kernel = memory ? simdKernel(memory) : null;
  }

  /**
   * Updates parameters [start, end) from the summed gradient; every replica then calls `advance`
   * once. Returns how many of them the SIMD kernel updated.
   */
  update(buffers: AdamBuffers, start: number, end: number): number {
    const simdEnd = this.simdFits(buffers) ? start + ((end - start) & ~3) : start;
    if (simdEnd > start) {
      const { weights, m, v, gradients } = buffers;
      const at = (a: Float32Array) => a.byteOffset + 4 * start;
      const stride = gradients.length > 1 ? gradients[1]!.byteOffset - gradients[0]!.byteOffset : 0;
      const c = this.constants;
      this.kernel!(
        at(weights), at(m), at(v), at(gradients[0]!), stride, gradients.length, simdEnd - start,
        f(c.beta1), f(c.beta2), f(1 - c.beta1), f(1 - c.beta2), f(1 - this.accBeta1), f(1 - this.accBeta2), f(c.epsilon), f(-c.learningRate),
      );
    }
    this.updateScalar(buffers, simdEnd, end);
    return simdEnd - start;
  }

  /** Whether every array is a view of the kernel's memory, the gradient slots evenly spaced. */
  private simdFits({ weights, m, v, gradients }: AdamBuffers): boolean {
    if (!this.kernel) return false;
    const buffer = this.memory!.buffer;
    if (![weights, m, v, ...gradients].every((a) => a.buffer === buffer)) return false;
    const stride = gradients.length > 1 ? gradients[1]!.byteOffset - gradients[0]!.byteOffset : 0;
    return gradients.every((g, r) => g.byteOffset === gradients[0]!.byteOffset + r * stride);
  }

  private updateScalar(buffers: AdamBuffers, start: number, end: number): void {
    const { weights, m, v, gradients } = buffers;
    const b1 = f(this.constants.beta1);
    const b2 = f(this.constants.beta2);
    const c1 = f(1 - this.constants.beta1);
    const c2 = f(1 - this.constants.beta2);
    const eps = f(this.constants.epsilon);
    const negLr = f(-this.constants.learningRate);
    const oneMinusAcc1 = f(1 - this.accBeta1);
    const oneMinusAcc2 = f(1 - this.accBeta2);
    const first = gradients[0]!;
    const second = gradients[1];
    const more = gradients.slice(2);
    for (let k = start; k < end; k++) {
      let g = second ? f(first[k]! + second[k]!) : first[k]!;
      for (let r = 0; r < more.length; r++) g = f(g + more[r]![k]!);
      const mk = f(f(m[k]! * b1) + f(g * c1));
      const vk = f(f(v[k]! * b2) + f(f(g * g) * c2));
      m[k] = mk;
      v[k] = vk;
      const mHat = f(mk / oneMinusAcc1);
      const vHat = f(vk / oneMinusAcc2);
      weights[k] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * negLr) + weights[k]!);
    }
  }

  advance(): void {
    this.accBeta1 = f(this.accBeta1 * f(this.constants.beta1));
    this.accBeta2 = f(this.accBeta2 * f(this.constants.beta2));
  }
}
