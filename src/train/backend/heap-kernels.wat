;; vaekit's training kernels on tfjs-backend-wasm's own heap (the memory is imported), f32x4 SIMD.
;; - gemm (with pack_panels): the float32 matrix product as XNNPACK's f32 GEMM does it on wasm SIMD:
;;   each output starts at its bias (or 0) and adds a·b for k = 0, 1, … in order with f32x4 multiply
;;   then add (no fused multiply-add), then relu as max(0, ·) when asked. So the results are those
;;   of tfjs' own XNNPACK path bit for bit, whatever the transposes (they are strides here).
;; - im2col: a convolution's input patches, so that a convolution runs as gemm; patch columns in
;;   (kh, kw, c) order, the order XNNPACK's convolution adds them in: the same bits.
;; - column_sums: sums over the leading axes, each column's rows added in order from 0 as
;;   tfjs-backend-wasm's Sum does after its transpose: the same bits without the transpose.
;; - bernoulli_terms: the dense VAE step's Bernoulli term and its gradient (src/train/dense), not
;;   a tfjs kernel: exp and log1p by polynomials to float32 accuracy.
;; Compiled into heap-kernels-wasm.ts by scripts/generate-wasm.ts.
(module
  (import "env" "memory" (memory 1))

  ;; B (K × N, element (k, n) at b + 4·(k·sK + n·sN)) into column panels of 8:
  ;; dst[(p·K + k)·8 + j] = B[k][8p + j], 0 past column N. dst holds ⌈N/8⌉·8·K floats.
  (func (export "pack_panels") (param $b i32) (param $sK i32) (param $sN i32) (param $K i32) (param $N i32) (param $dst i32)
    (local $n0 i32) (local $cols i32) (local $k i32) (local $j i32) (local $src i32) (local $row i32)
    (local.set $sK (i32.shl (local.get $sK) (i32.const 2)))
    (local.set $sN (i32.shl (local.get $sN) (i32.const 2)))
    (block $panelsDone
      (loop $panels
        (br_if $panelsDone (i32.ge_u (local.get $n0) (local.get $N)))
        (local.set $cols (i32.sub (local.get $N) (local.get $n0)))
        (local.set $row (i32.add (local.get $b) (i32.mul (local.get $n0) (local.get $sN))))
        (local.set $k (i32.const 0))
        (if (i32.and (i32.eq (local.get $sN) (i32.const 4)) (i32.ge_u (local.get $cols) (i32.const 8)))
          (then
            ;; Rows of B contiguous and a whole panel: two vector copies per k.
            (block $copyDone
              (loop $copy
                (br_if $copyDone (i32.ge_u (local.get $k) (local.get $K)))
                (v128.store (local.get $dst) (v128.load (local.get $row)))
                (v128.store offset=16 (local.get $dst) (v128.load offset=16 (local.get $row)))
                (local.set $row (i32.add (local.get $row) (local.get $sK)))
                (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $copy))))
          (else
           (if (i32.and (i32.eq (local.get $sK) (i32.const 4)) (i32.ge_u (local.get $cols) (i32.const 8)))
            (then
              ;; B stored transposed (N × K, k contiguous) and a whole panel: four k at a time, the
              ;; 8 columns' 4-value runs transposed in registers (two 4 × 4 transposes).
              (block $quadsDone
                (loop $quads
                  (br_if $quadsDone (i32.gt_u (i32.add (local.get $k) (i32.const 4)) (local.get $K)))
                  (call $transpose4 (local.get $row) (local.get $sN) (local.get $dst))
                  (call $transpose4 (i32.add (local.get $row) (i32.shl (local.get $sN) (i32.const 2))) (local.get $sN)
                    (i32.add (local.get $dst) (i32.const 16)))
                  (local.set $row (i32.add (local.get $row) (i32.const 16)))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 128)))
                  (local.set $k (i32.add (local.get $k) (i32.const 4)))
                  (br $quads)))
              ;; The last K mod 4 rows of the panel.
              (block $restDone
                (loop $rest
                  (br_if $restDone (i32.ge_u (local.get $k) (local.get $K)))
                  (local.set $src (local.get $row))
                  (local.set $j (i32.const 0))
                  (loop $restLanes
                    (f32.store (local.get $dst) (f32.load (local.get $src)))
                    (local.set $src (i32.add (local.get $src) (local.get $sN)))
                    (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br_if $restLanes (i32.lt_u (local.get $j) (i32.const 8))))
                  (local.set $row (i32.add (local.get $row) (i32.const 4)))
                  (local.set $k (i32.add (local.get $k) (i32.const 1)))
                  (br $rest))))
            (else
            ;; Any strides, or the last panel: value by value, zeros past N.
            (block $gatherDone
              (loop $gather
                (br_if $gatherDone (i32.ge_u (local.get $k) (local.get $K)))
                (local.set $src (local.get $row))
                (local.set $j (i32.const 0))
                (loop $lanes
                  (f32.store (local.get $dst)
                    (if (result f32) (i32.lt_u (local.get $j) (local.get $cols))
                      (then (f32.load (local.get $src)))
                      (else (f32.const 0))))
                  (local.set $src (i32.add (local.get $src) (local.get $sN)))
                  (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $lanes (i32.lt_u (local.get $j) (i32.const 8))))
                (local.set $row (i32.add (local.get $row) (local.get $sK)))
                (local.set $k (i32.add (local.get $k) (i32.const 1)))
                (br $gather)))))))
        (local.set $n0 (i32.add (local.get $n0) (i32.const 8)))
        (br $panels))))

  ;; Four columns' runs of 4 k values (column j's at src + j·stride) as 4 rows of 4 at dst, 32 bytes apart.
  (func $transpose4 (param $src i32) (param $stride i32) (param $dst i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r0 (v128.load (local.get $src)))
    (local.set $r1 (v128.load (i32.add (local.get $src) (local.get $stride))))
    (local.set $r2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $stride) (i32.const 1)))))
    (local.set $r3 (v128.load (i32.add (local.get $src) (i32.mul (local.get $stride) (i32.const 3)))))
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
    (local.set $t1 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
    (local.set $t2 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
    (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t1)))
    (v128.store offset=32 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t1)))
    (v128.store offset=64 (local.get $dst) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t2) (local.get $t3)))
    (v128.store offset=96 (local.get $dst) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t2) (local.get $t3))))

  ;; One output row's 8 columns at out: all 8, or the first `cols` through tmp (32 bytes).
  (func $storeRow (param $out i32) (param $v0 v128) (param $v1 v128) (param $cols i32) (param $tmp i32)
    (local $j i32)
    (if (i32.ge_u (local.get $cols) (i32.const 8))
      (then
        (v128.store (local.get $out) (local.get $v0))
        (v128.store offset=16 (local.get $out) (local.get $v1))
        (return)))
    (v128.store (local.get $tmp) (local.get $v0))
    (v128.store offset=16 (local.get $tmp) (local.get $v1))
    (loop $copy
      (f32.store (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
        (f32.load (i32.add (local.get $tmp) (i32.shl (local.get $j) (i32.const 2)))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br_if $copy (i32.lt_u (local.get $j) (local.get $cols)))))

  ;; C (M × N, row-major) = A·B + bias, then max(0, ·) if relu ≠ 0. A's element (i, k) at
  ;; a + 4·(i·sM + k·sK); B packed by pack_panels at bp; bias: ⌈N/8⌉·8 floats (zeros for none);
  ;; tmp: 32 bytes of scratch. K ≥ 1.
  (func (export "gemm") (param $a i32) (param $sM i32) (param $sK i32) (param $bp i32) (param $bias i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $relu i32) (param $tmp i32)
    (local $n0 i32) (local $cols i32) (local $panel i32) (local $panelBytes i32) (local $i i32) (local $out i32)
    (local $p0 i32) (local $p1 i32) (local $p2 i32) (local $p3 i32) (local $pb i32) (local $pbEnd i32)
    (local $bias0 v128) (local $bias1 v128) (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $sM (i32.shl (local.get $sM) (i32.const 2)))
    (local.set $sK (i32.shl (local.get $sK) (i32.const 2)))
    (local.set $panelBytes (i32.shl (local.get $K) (i32.const 5)))
    (local.set $panel (local.get $bp))
    (block $panelsDone
      (loop $panels
        (br_if $panelsDone (i32.ge_u (local.get $n0) (local.get $N)))
        (local.set $cols (i32.sub (local.get $N) (local.get $n0)))
        (local.set $bias0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2)))))
        (local.set $bias1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $n0) (i32.const 2)))))
        (local.set $i (i32.const 0))
        ;; Four rows at a time: 8 f32x4 accumulators, the panel read once per four rows.
        (block $quadsDone
          (loop $quads
            (br_if $quadsDone (i32.gt_u (i32.add (local.get $i) (i32.const 4)) (local.get $M)))
            (local.set $c00 (local.get $bias0)) (local.set $c01 (local.get $bias1))
            (local.set $c10 (local.get $bias0)) (local.set $c11 (local.get $bias1))
            (local.set $c20 (local.get $bias0)) (local.set $c21 (local.get $bias1))
            (local.set $c30 (local.get $bias0)) (local.set $c31 (local.get $bias1))
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sM))))
            (local.set $p1 (i32.add (local.get $p0) (local.get $sM)))
            (local.set $p2 (i32.add (local.get $p1) (local.get $sM)))
            (local.set $p3 (i32.add (local.get $p2) (local.get $sM)))
            (local.set $pb (local.get $panel))
            (local.set $pbEnd (i32.add (local.get $panel) (local.get $panelBytes)))
            (loop $k
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
              (local.set $x (v128.load32_splat (local.get $p0)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load32_splat (local.get $p1)))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load32_splat (local.get $p2)))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $x (v128.load32_splat (local.get $p3)))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
              (local.set $p0 (i32.add (local.get $p0) (local.get $sK)))
              (local.set $p1 (i32.add (local.get $p1) (local.get $sK)))
              (local.set $p2 (i32.add (local.get $p2) (local.get $sK)))
              (local.set $p3 (i32.add (local.get $p3) (local.get $sK)))
              (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
              (br_if $k (i32.lt_u (local.get $pb) (local.get $pbEnd))))
            (if (local.get $relu)
              (then
                (local.set $x (v128.const f32x4 0 0 0 0))
                (local.set $c00 (f32x4.pmax (local.get $x) (local.get $c00)))
                (local.set $c01 (f32x4.pmax (local.get $x) (local.get $c01)))
                (local.set $c10 (f32x4.pmax (local.get $x) (local.get $c10)))
                (local.set $c11 (f32x4.pmax (local.get $x) (local.get $c11)))
                (local.set $c20 (f32x4.pmax (local.get $x) (local.get $c20)))
                (local.set $c21 (f32x4.pmax (local.get $x) (local.get $c21)))
                (local.set $c30 (f32x4.pmax (local.get $x) (local.get $c30)))
                (local.set $c31 (f32x4.pmax (local.get $x) (local.get $c31)))))
            (local.set $out (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $n0)) (i32.const 2))))
            (call $storeRow (local.get $out) (local.get $c00) (local.get $c01) (local.get $cols) (local.get $tmp))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $N) (i32.const 2))))
            (call $storeRow (local.get $out) (local.get $c10) (local.get $c11) (local.get $cols) (local.get $tmp))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $N) (i32.const 2))))
            (call $storeRow (local.get $out) (local.get $c20) (local.get $c21) (local.get $cols) (local.get $tmp))
            (local.set $out (i32.add (local.get $out) (i32.shl (local.get $N) (i32.const 2))))
            (call $storeRow (local.get $out) (local.get $c30) (local.get $c31) (local.get $cols) (local.get $tmp))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $quads)))
        ;; The last M mod 4 rows one at a time.
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_u (local.get $i) (local.get $M)))
            (local.set $c00 (local.get $bias0)) (local.set $c01 (local.get $bias1))
            (local.set $p0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $sM))))
            (local.set $pb (local.get $panel))
            (local.set $pbEnd (i32.add (local.get $panel) (local.get $panelBytes)))
            (loop $k1
              (local.set $x (v128.load32_splat (local.get $p0)))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load (local.get $pb)))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (v128.load offset=16 (local.get $pb)))))
              (local.set $p0 (i32.add (local.get $p0) (local.get $sK)))
              (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
              (br_if $k1 (i32.lt_u (local.get $pb) (local.get $pbEnd))))
            (if (local.get $relu)
              (then
                (local.set $x (v128.const f32x4 0 0 0 0))
                (local.set $c00 (f32x4.pmax (local.get $x) (local.get $c00)))
                (local.set $c01 (f32x4.pmax (local.get $x) (local.get $c01)))))
            (local.set $out (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $n0)) (i32.const 2))))
            (call $storeRow (local.get $out) (local.get $c00) (local.get $c01) (local.get $cols) (local.get $tmp))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        (local.set $panel (i32.add (local.get $panel) (local.get $panelBytes)))
        (local.set $n0 (i32.add (local.get $n0) (i32.const 8)))
        (br $panels))))
;; out[c] = Σ_r x[r·C + c] for r = 0 … R−1 in order (R × C row-major x, C values at out).
  (func (export "column_sums") (param $x i32) (param $R i32) (param $C i32) (param $out i32)
    (local $r i32) (local $o i32) (local $end i32) (local $vecEnd i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $C) (i32.const 2))))
    (local.set $vecEnd (i32.add (local.get $out) (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2))))
    (local.set $o (local.get $out))
    (block $zeroDone
      (loop $zero
        (br_if $zeroDone (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (local.get $o) (f32.const 0))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $zero)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $R)))
        (local.set $o (local.get $out))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_u (local.get $o) (local.get $vecEnd)))
            (v128.store (local.get $o) (f32x4.add (v128.load (local.get $o)) (v128.load (local.get $x))))
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $x (i32.add (local.get $x) (i32.const 16)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_u (local.get $o) (local.get $end)))
            (f32.store (local.get $o) (f32.add (f32.load (local.get $o)) (f32.load (local.get $x))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (local.set $x (i32.add (local.get $x) (i32.const 4)))
            (br $tail)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows))))
;; im2col: patches[(b·OH + oh)·OW + ow][(kh·KW + kw)·C + c] = x[b][ih][iw][c] with
  ;; ih = oh·sH + kh·dH − padTop, iw = ow·sW + kw·dW − padLeft, 0 where (ih, iw) is outside x
  ;; (x is B × H × W × C, NHWC). All counts ≥ 1.
  (func (export "im2col") (param $x i32) (param $B i32) (param $H i32) (param $W i32) (param $C i32)
    (param $KH i32) (param $KW i32) (param $sH i32) (param $sW i32) (param $dH i32) (param $dW i32)
    (param $padTop i32) (param $padLeft i32) (param $OH i32) (param $OW i32) (param $dst i32)
    (local $run i32) (local $image i32) (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32)
    (local.set $run (i32.shl (local.get $C) (i32.const 2)))
    (local.set $image (local.get $x))
    (loop $images
      (local.set $oh (i32.const 0))
      (loop $rows
        (local.set $ow (i32.const 0))
        (loop $cols
          (local.set $kh (i32.const 0))
          (loop $tapRows
            (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sH)) (i32.mul (local.get $kh) (local.get $dH))) (local.get $padTop)))
            (local.set $kw (i32.const 0))
            (loop $tapCols
              (local.set $iw (i32.sub (i32.add (i32.mul (local.get $ow) (local.get $sW)) (i32.mul (local.get $kw) (local.get $dW))) (local.get $padLeft)))
              ;; Unsigned compares: a negative row or column is out of range too.
              (if (i32.and (i32.lt_u (local.get $ih) (local.get $H)) (i32.lt_u (local.get $iw) (local.get $W)))
                (then (memory.copy (local.get $dst)
                  (i32.add (local.get $image) (i32.mul (i32.add (i32.mul (local.get $ih) (local.get $W)) (local.get $iw)) (local.get $run)))
                  (local.get $run)))
                (else (memory.fill (local.get $dst) (i32.const 0) (local.get $run))))
              (local.set $dst (i32.add (local.get $dst) (local.get $run)))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br_if $tapCols (i32.lt_u (local.get $kw) (local.get $KW))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br_if $tapRows (i32.lt_u (local.get $kh) (local.get $KH))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br_if $cols (i32.lt_u (local.get $ow) (local.get $OW))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br_if $rows (i32.lt_u (local.get $oh) (local.get $OH))))
      (local.set $image (i32.add (local.get $image) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $run))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br_if $images (i32.lt_u (local.get $b) (local.get $B)))))

  ;; For `count` (a multiple of 4) decoder logits ℓ at pre and targets x at x: returns
  ;; Σ max(ℓ,0) − ℓ·x + log(1 + e^−|ℓ|) (summed in f64) and writes (σ(ℓ) − x)·scale over ℓ.
  ;; e^−|ℓ| = 2^−k·e^r (k = round(|ℓ|/ln2), |r| ≤ ln2/2, degree-6 polynomial; |ℓ| clamped at 87,
  ;; where e^−87 is still a normal float32); log(1+e) = 2·atanh(e/(2+e)) by its series to t^11.
  (func (export "bernoulli_terms") (param $pre i32) (param $x i32) (param $count i32) (param $scale f32) (result f64)
    (local $end i32) (local $l v128) (local $xv v128) (local $a v128) (local $k v128) (local $r v128)
    (local $e v128) (local $t v128) (local $t2 v128) (local $inv v128) (local $loss v128)
    (local $acc0 v128) (local $acc1 v128) (local $one v128) (local $scaleV v128)
    (local.set $end (i32.add (local.get $pre) (i32.shl (local.get $count) (i32.const 2))))
    (local.set $one (f32x4.splat (f32.const 1)))
    (local.set $scaleV (f32x4.splat (local.get $scale)))
    (local.set $acc0 (f64x2.splat (f64.const 0)))
    (local.set $acc1 (f64x2.splat (f64.const 0)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $pre) (local.get $end)))
        (local.set $l (v128.load (local.get $pre)))
        (local.set $xv (v128.load (local.get $x)))
        (local.set $a (f32x4.min (f32x4.abs (local.get $l)) (f32x4.splat (f32.const 87))))
        (local.set $k (f32x4.nearest (f32x4.mul (local.get $a) (f32x4.splat (f32.const 1.44269504)))))
        ;; r = k·ln2 − a, ln2 split in two so that k·ln2_hi is exact
        (local.set $r (f32x4.add
          (f32x4.sub (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693359375))) (local.get $a))
          (f32x4.mul (local.get $k) (f32x4.splat (f32.const -2.12194440e-4)))))
        (local.set $e (f32x4.add (local.get $one) (f32x4.mul (local.get $r) (f32x4.add (local.get $one) (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.5)) (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.16666667)) (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.041666668)) (f32x4.mul (local.get $r) (f32x4.add (f32x4.splat (f32.const 0.008333334)) (f32x4.mul (local.get $r) (f32x4.splat (f32.const 0.0013888889)))))))))))))))
        ;; times 2^−k: a float32 with biased exponent 127 − k (k ≤ 126: a normal number)
        (local.set $e (f32x4.mul (local.get $e)
          (i32x4.shl (i32x4.sub (i32x4.splat (i32.const 127)) (i32x4.trunc_sat_f32x4_s (local.get $k))) (i32.const 23))))
        (local.set $t (f32x4.div (local.get $e) (f32x4.add (f32x4.splat (f32.const 2)) (local.get $e))))
        (local.set $t2 (f32x4.mul (local.get $t) (local.get $t)))
        ;; loss = max(ℓ,0) − ℓ·x + 2t(1 + t²/3 + t⁴/5 + … + t¹⁰/11)
        (local.set $loss (f32x4.add
          (f32x4.sub (f32x4.pmax (f32x4.splat (f32.const 0)) (local.get $l)) (f32x4.mul (local.get $l) (local.get $xv)))
          (f32x4.mul (f32x4.add (local.get $t) (local.get $t)) (f32x4.add (local.get $one) (f32x4.mul (local.get $t2) (f32x4.add (f32x4.splat (f32.const 0.33333334)) (f32x4.mul (local.get $t2) (f32x4.add (f32x4.splat (f32.const 0.2)) (f32x4.mul (local.get $t2) (f32x4.add (f32x4.splat (f32.const 0.14285715)) (f32x4.mul (local.get $t2) (f32x4.add (f32x4.splat (f32.const 0.11111111)) (f32x4.mul (local.get $t2) (f32x4.splat (f32.const 0.09090909)))))))))))))))
        (local.set $acc0 (f64x2.add (local.get $acc0) (f64x2.promote_low_f32x4 (local.get $loss))))
        (local.set $acc1 (f64x2.add (local.get $acc1) (f64x2.promote_low_f32x4
          (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $loss) (local.get $loss)))))
        ;; σ(ℓ) = 1/(1+e) for ℓ ≥ 0, e/(1+e) below
        (local.set $inv (f32x4.div (local.get $one) (f32x4.add (local.get $one) (local.get $e))))
        (v128.store (local.get $pre) (f32x4.mul (local.get $scaleV) (f32x4.sub
          (v128.bitselect (local.get $inv) (f32x4.mul (local.get $e) (local.get $inv)) (f32x4.ge (local.get $l) (f32x4.splat (f32.const 0))))
          (local.get $xv))))
        (local.set $pre (i32.add (local.get $pre) (i32.const 16)))
        (local.set $x (i32.add (local.get $x) (i32.const 16)))
        (br $each)))
    (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $acc0)) (f64x2.extract_lane 1 (local.get $acc0)))
      (f64.add (f64x2.extract_lane 0 (local.get $acc1)) (f64x2.extract_lane 1 (local.get $acc1)))))
)
