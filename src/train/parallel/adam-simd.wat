;; Adam over float32 arrays in a shared memory, four parameters per SIMD instruction: vaekit's
;; data-parallel training (shared-adam.ts). Each operation is tfjs' Adam (adam_optimizer.js) in the
;; same order, in float32, so the result is the same bits as tf.train.adam on the same gradient.
;; scripts/generate-wasm.ts compiles this file into adam-simd-wasm.ts; a test keeps the two equal.
(module
  (import "env" "memory" (memory 1 65536 shared))
  ;; Parameters [0, n) of arrays at byte offsets w, m, v; the gradient is the sum, in order, of
  ;; `slots` arrays starting at byte offset g, `stride` bytes apart. n is a multiple of 4.
  (func (export "adam")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32) (param $stride i32) (param $slots i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $oneMinusAcc1 f32) (param $oneMinusAcc2 f32) (param $eps f32) (param $negLr f32)
    (local $i i32) (local $end i32) (local $r i32) (local $slot i32)
    (local $grad v128) (local $mk v128) (local $vk v128)
    (local $B1 v128) (local $B2 v128) (local $C1 v128) (local $C2 v128) (local $O1 v128) (local $O2 v128) (local $E v128) (local $L v128)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $O1 (f32x4.splat (local.get $oneMinusAcc1)))
    (local.set $O2 (f32x4.splat (local.get $oneMinusAcc2)))
    (local.set $E (f32x4.splat (local.get $eps)))
    (local.set $L (f32x4.splat (local.get $negLr)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $end)))
        ;; g = ((g0 + g1) + g2) + …
        (local.set $grad (v128.load (i32.add (local.get $g) (local.get $i))))
        (local.set $slot (i32.add (local.get $g) (local.get $i)))
        (local.set $r (i32.const 1))
        (block $summed
          (loop $sum
            (br_if $summed (i32.ge_u (local.get $r) (local.get $slots)))
            (local.set $slot (i32.add (local.get $slot) (local.get $stride)))
            (local.set $grad (f32x4.add (local.get $grad) (v128.load (local.get $slot))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $sum)))
        ;; m = m·β₁ + g·(1 − β₁);  v = v·β₂ + g²·(1 − β₂)
        (local.set $mk (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $i))) (local.get $B1))
          (f32x4.mul (local.get $grad) (local.get $C1))))
        (local.set $vk (f32x4.add
          (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $i))) (local.get $B2))
          (f32x4.mul (f32x4.mul (local.get $grad) (local.get $grad)) (local.get $C2))))
        (v128.store (i32.add (local.get $m) (local.get $i)) (local.get $mk))
        (v128.store (i32.add (local.get $v) (local.get $i)) (local.get $vk))
        ;; w = (m̂ / (√v̂ + ε))·(−lr) + w, with m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
        (v128.store (i32.add (local.get $w) (local.get $i))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $mk) (local.get $O1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $vk) (local.get $O2))) (local.get $E)))
              (local.get $L))
            (v128.load (i32.add (local.get $w) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $each)))))
