;; Register-only f32x4 multiply-add loops: the machine's WebAssembly SIMD peak,
;; the yardstick for "% of peak" in the kernel benchmarks. Assembled in both
;; flavours by kernels/build.mjs (MADD = f32x4.mul + f32x4.add, or relaxed_madd).
;;
;; Each chain is acc = acc * m + c, so every multiply depends on the previous
;; iteration: V8 can neither hoist a loop-invariant product out of the loop nor
;; merge chains (a plain `acc += x * y` with invariant x, y lets TurboFan hoist
;; x * y and the loop measures additions only). With N chains live, N + 2 v128
;; values occupy XMM registers; peak_N(iters) runs iters * 4 * N madds of 4 lanes
;; = iters * 32 * N FLOPs.
(module
;;@repeat N 8 15
  (func (export "peak${N}") (param $iters i32) (result f32)
    (local $m v128) (local $c v128) (local $sum v128)
;;@repeat I 0 N
    (local $a${I} v128)
;;@end I
    (local.set $m (f32x4.splat (f32.const 0.9990234375)))
    (local.set $c (f32x4.splat (f32.const 0.0009765625)))
;;@repeat I 0 N
    (local.set $a${I} (f32x4.splat (f32.const ${1 + I / 16})))
;;@end I
    (loop $l
;;@repeat U 0 4
;;@repeat I 0 N
      MADD($a${I}, $a${I}, $m, $c)
;;@end I
;;@end U
      (br_if $l (local.tee $iters (i32.sub (local.get $iters) (i32.const 1)))))
;;@repeat I 0 N
    (local.set $sum (f32x4.add (local.get $sum) (local.get $a${I})))
;;@end I
    (f32x4.extract_lane 0 (local.get $sum)))
;;@end N
)
