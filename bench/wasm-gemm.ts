/**
 * A plain wasm-SIMD GEMM for bench/browser-decode.ts's roofline: C[M×N] = A[M×K]·B[K×N] in
 * float32 with f32x4 multiply + add (no relaxed-SIMD FMA), B pre-packed in column panels of NR
 * floats (as XNNPACK and MLAS pack weights once). One function per (K, N), with the strides as
 * immediates, over rows [m0, m1) so that workers can split M. Bench tool, not product code.
 */
import wabtInit from 'wabt';

/** Rows and columns of the register tile: MR × NR/4 f32x4 accumulators. */
export const MR = 4;
export const NR = 8;

/** WAT of `gemm_<K>x<N>(a, bPacked, c, m0, m1)`; m1 − m0 must be a multiple of MR, N of NR. */
function gemmFunc(K: number, N: number): string {
  const V = NR / 4;
  const acc = (r: number, v: number) => `$c${r}_${v}`;
  const locals: string[] = [];
  for (let r = 0; r < MR; r++) for (let v = 0; v < V; v++) locals.push(`(local ${acc(r, v)} v128)`);
  for (let v = 0; v < V; v++) locals.push(`(local $b${v} v128)`);
  const zero: string[] = [];
  for (let r = 0; r < MR; r++) for (let v = 0; v < V; v++) zero.push(`(local.set ${acc(r, v)} (v128.const i32x4 0 0 0 0))`);
  const body: string[] = [];
  for (let v = 0; v < V; v++) body.push(`(local.set $b${v} (v128.load offset=${v * 16} (local.get $pb)))`);
  for (let r = 0; r < MR; r++) {
    body.push(`(local.set $a (v128.load32_splat offset=${r * K * 4} (local.get $pa)))`);
    for (let v = 0; v < V; v++) {
      body.push(`(local.set ${acc(r, v)} (f32x4.add (local.get ${acc(r, v)}) (f32x4.mul (local.get $a) (local.get $b${v}))))`);
    }
  }
  const store: string[] = [];
  for (let r = 0; r < MR; r++) for (let v = 0; v < V; v++) store.push(`(v128.store offset=${(r * N + v * 4) * 4} (local.get $pc) (local.get ${acc(r, v)}))`);
  return `
  (func (export "gemm_${K}x${N}") (param $A i32) (param $B i32) (param $C i32) (param $m0 i32) (param $m1 i32)
    (local $jp i32) (local $bp i32) (local $i i32) (local $pa i32) (local $pb i32) (local $pbEnd i32) (local $pc i32) (local $a v128)
    ${locals.join(' ')}
    (local.set $jp (i32.const 0))
    (loop $panels
      (local.set $bp (i32.add (local.get $B) (i32.mul (local.get $jp) (i32.const ${K * NR * 4}))))
      (local.set $i (local.get $m0))
      (loop $rows
        ${zero.join('\n        ')}
        (local.set $pa (i32.add (local.get $A) (i32.mul (local.get $i) (i32.const ${K * 4}))))
        (local.set $pb (local.get $bp))
        (local.set $pbEnd (i32.add (local.get $bp) (i32.const ${K * NR * 4})))
        (loop $k
          ${body.join('\n          ')}
          (local.set $pa (i32.add (local.get $pa) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (i32.const ${NR * 4})))
          (br_if $k (i32.lt_u (local.get $pb) (local.get $pbEnd))))
        (local.set $pc (i32.add (local.get $C) (i32.mul (i32.add (i32.mul (local.get $i) (i32.const ${N})) (i32.mul (local.get $jp) (i32.const ${NR}))) (i32.const 4))))
        ${store.join('\n        ')}
        (local.set $i (i32.add (local.get $i) (i32.const ${MR})))
        (br_if $rows (i32.lt_u (local.get $i) (local.get $m1))))
      (local.set $jp (i32.add (local.get $jp) (i32.const 1)))
      (br_if $panels (i32.lt_u (local.get $jp) (i32.const ${N / NR})))))`;
}

/**
 * The module's binary: one gemm function per [K, N] shape, over an imported shared memory
 * (`env.memory`, `pages` 64 KiB pages) so that workers can share A, B and C.
 */
export async function gemmModule(shapes: ReadonlyArray<readonly [number, number]>, pages: number): Promise<Uint8Array> {
  for (const [, N] of shapes) if (N % NR !== 0) throw new Error(`gemm: N ${N} is not a multiple of ${NR}`);
  const wat = `(module (import "env" "memory" (memory ${pages} ${pages} shared))${shapes.map(([K, N]) => gemmFunc(K, N)).join('')})`;
  const wabt = await wabtInit();
  const parsed = wabt.parseWat('gemm.wat', wat, { simd: true, threads: true });
  try {
    // No parsed.validate(): wabt.js's validator refuses shared memories whatever the features say; the engine validates on compile.
    return new Uint8Array(parsed.toBinary({}).buffer);
  } finally {
    parsed.destroy();
  }
}

/** B [K×N] row-major → NR-wide column panels: panel p holds B[k][p·NR … p·NR+NR) for k = 0…K−1. */
export function packPanels(b: Float32Array, K: number, N: number): Float32Array {
  const out = new Float32Array(K * N);
  let o = 0;
  for (let p = 0; p < N / NR; p++) for (let k = 0; k < K; k++) for (let j = 0; j < NR; j++) out[o++] = b[k * N + p * NR + j]!;
  return out;
}
