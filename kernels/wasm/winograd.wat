  ;; Winograd / Toom-Cook F(m, k) convolution along time (kernels/js/toom-cook.ts builds the
  ;; matrices; src/backend/wasm-winograd.ts stages, plans and calls): the transforms of the
  ;; weights and of the input; winograd-gemm.wat holds the GEMMs, the output transform and the
  ;; finish. Both files are spliced into tinycnn.wat's module by kernels/build.mjs (;;@include),
  ;; so they share its memory, its MADD flavours and $activate.
  ;;
  ;; One conv of a bank, per call, over `tiles` tiles of m outputs (tiles of any sentences):
  ;;   1. winograd_inputA: V[x, t] = sum_j B^T[x, j] d_t[j] for the alpha = A rows d_t[0 .. A) of
  ;;      tile t's window, channels * dim floats each (the embedding is the GEMM's reduction);
  ;;   2. winograd_gemm: per panel of 8 filters and per plane x, M[x] = V[x] · U[x] — a GEMM of
  ;;      (tiles, channels * dim) x (channels * dim, 8) on the 4 x 8 register tile of
  ;;      $conv_maxpool (tinycnn.wat's header explains its register budget) — then per tile the
  ;;      output transform y = A^T M, whose valid outputs fold into the running max;
  ;;   3. winograd_finish: bias and activation once per (sentence, filter), after the last call.
  ;; Multiply-adds per output: alpha / m * channels * dim * filters instead of k * channels * dim
  ;; * filters, plus the transforms (B^T: alpha^2 per embedding float per tile, A^T: m * alpha per
  ;; filter per tile).
  ;;
  ;; Packed transformed weight (winograd_weightsK writes it): (panels, alpha, channels * dim, 8),
  ;; filter f = 8 * panel + lane; lanes >= filters are 0.

  ;; The weight transform, once per conv at load, on weights already packed for the direct kernel:
  ;;   dst (panels, alpha, channels * dim, 8) <- U[x, c, d] = sum_j G[x, j] W[c, j, d]
  ;; where W (panels, channels, k * dim, 8) is what `pack` makes of (filters, channels, k, dim), so
  ;; every load and store is a contiguous 8-filter group and the k groups of a (c, d) are loaded
  ;; once for all alpha planes. One function per k (2..7), the taps unrolled: this loop runs once,
  ;; in a cold process, as Liftoff's baseline code, where the instructions per multiply-add are
  ;; what counts. Float32 (MADD); the js backend computes U in float64, and the golden and parity
  ;; errors of the two show no difference that U's rounding explains.
  ;; Returns 1 when some U value is not finite (finite weights near ±3.4e38 whose combinations
  ;; overflow), else 0: every stored pair is also multiplied by 0 into $bad, which stays 0 unless
  ;; an infinity or a NaN went by (inf * 0 = NaN), so the caller needs no second pass over U.
;;@repeat K 2 8
  (func (export "winograd_weights${K}")
    (param $dst i32)     ;; (panels, alpha, channels * dim, 8) f32
    (param $w i32)       ;; (panels, channels, k * dim, 8) f32: the direct kernel's packed weight
    (param $panels i32) (param $channels i32) (param $dim i32) (param $alpha i32)
    (param $g i32)       ;; (alpha, k) f32
    (result i32)         ;; 1: some U value overflowed float32
    (local $p i32) (local $c i32) (local $x i32) (local $dEnd i32) (local $gx i32) (local $dp i32)
    (local $planeBytes i32) (local $tapBytes i32) (local $acc0 v128) (local $acc1 v128) (local $s v128)
    (local $bad v128)    ;; f32x4: sum of (acc0 + acc1) * 0 over every store; NaN lanes mark overflow
;;@repeat J 0 K
    (local $w${J}0 v128) (local $w${J}1 v128)
;;@end J
    (local.set $tapBytes (i32.shl (local.get $dim) (i32.const 5)))                             ;; one tap's dim groups
    (local.set $planeBytes (i32.mul (local.get $channels) (local.get $tapBytes)))              ;; one plane of dst
    (loop $panel
      (local.set $c (local.get $channels))
      (loop $channel
        (local.set $dEnd (i32.add (local.get $w) (local.get $tapBytes)))
        (loop $d
;;@repeat J 0 K
          (local.set $w${J}0 (v128.load (i32.add (local.get $w) (i32.mul (local.get $tapBytes) (i32.const ${J})))))
          (local.set $w${J}1 (v128.load offset=16 (i32.add (local.get $w) (i32.mul (local.get $tapBytes) (i32.const ${J})))))
;;@end J
          (local.set $gx (local.get $g))
          (local.set $dp (local.get $dst))
          (local.set $x (local.get $alpha))
          (loop $plane
            (local.set $acc0 (v128.const i64x2 0 0)) (local.set $acc1 (v128.const i64x2 0 0))
;;@repeat J 0 K
            (local.set $s (v128.load32_splat offset=${4 * J} (local.get $gx)))
            MADD($acc0, $s, $w${J}0) MADD($acc1, $s, $w${J}1)
;;@end J
            (v128.store (local.get $dp) (local.get $acc0))
            (v128.store offset=16 (local.get $dp) (local.get $acc1))
            (local.set $bad (f32x4.add (f32x4.mul (f32x4.add (local.get $acc0) (local.get $acc1)) (v128.const i64x2 0 0)) (local.get $bad)))
            (local.set $gx (i32.add (local.get $gx) (i32.const ${4 * K})))
            (local.set $dp (i32.add (local.get $dp) (local.get $planeBytes)))
            (br_if $plane (local.tee $x (i32.sub (local.get $x) (i32.const 1)))))
          (local.set $w (i32.add (local.get $w) (i32.const 32)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 32)))
          (br_if $d (i32.lt_u (local.get $w) (local.get $dEnd))))
        ;; w: past tap 0 of this channel -> tap 0 of the next (or the next panel); dst runs on
        (local.set $w (i32.add (local.get $w) (i32.mul (local.get $tapBytes) (i32.const ${K - 1}))))
        (br_if $channel (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
      ;; dst: past plane 0 of this panel -> the next panel
      (local.set $dst (i32.add (local.get $dst) (i32.mul (local.get $planeBytes) (i32.sub (local.get $alpha) (i32.const 1)))))
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels))))
    (v128.any_true (f32x4.ne (local.get $bad) (local.get $bad))))
;;@end K

  ;; The input transform for alpha = A (one function per A, 4..8, so the A rows of a tile live
  ;; in locals): for each tile t and channel c, 4 embedding floats at a time,
  ;;   V[x, t, c * dim + d] = sum_j B^T[x, j] * row_j[d],   row_j = padded row desc[t] + j of channel c,
  ;; the planes x in a loop (the sum over j unrolled: A multiply-adds per trip). When dim is not a
  ;; multiple of 4 the last step overlaps the one before it (it recomputes and rewrites a few
  ;; identical values), so dim >= 4 is all it needs.
;;@repeat A 4 9
  (func (export "winograd_input${A}")
    (param $v i32)          ;; out: (alpha, tiles, channels * dim) f32
    (param $planeBytes i32) ;; tiles * channels * dim * 4: from plane x to plane x + 1 of V
    (param $desc i32)       ;; (tiles, 3) i32; [0]: byte offset of the tile's first padded row in channel 0
    (param $tiles i32)
    (param $channels i32)
    (param $rowBytes i32)   ;; dim * 4, at least 16
    (param $chanBytes i32)  ;; bytes from a row of channel c to the same row of channel c + 1
    (param $bt i32)         ;; (alpha, alpha) f32 B^T
    (local $t i32) (local $c i32) (local $x i32) (local $src i32) (local $dst i32) (local $end i32) (local $back i32)
    (local $row i32) (local $dp i32) (local $b v128) (local $acc v128)
;;@repeat J 0 A
    (local $x${J} v128)
;;@end J
    (local.set $dst (local.get $v))
    (block $tilesDone (loop $tile
      (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $tiles)))
      (local.set $src (i32.load (i32.add (local.get $desc) (i32.mul (local.get $t) (i32.const 12)))))
      (local.set $c (local.get $channels))
      (loop $channel
        (local.set $end (i32.add (local.get $src) (local.get $rowBytes)))
        (loop $step
          (local.set $row (local.get $src))
;;@repeat J 0 A
          (local.set $x${J} (v128.load (local.get $row)))
          (local.set $row (i32.add (local.get $row) (local.get $rowBytes)))
;;@end J
          (local.set $row (local.get $bt)) ;; now: row x of B^T
          (local.set $dp (local.get $dst))
          (local.set $x (i32.const ${A}))
          (loop $plane
            (local.set $acc (v128.const i64x2 0 0))
;;@repeat J 0 A
            (local.set $b (v128.load32_splat offset=${4 * J} (local.get $row)))
            MADD($acc, $b, $x${J})
;;@end J
            (v128.store (local.get $dp) (local.get $acc))
            (local.set $row (i32.add (local.get $row) (i32.const ${4 * A})))
            (local.set $dp (i32.add (local.get $dp) (local.get $planeBytes)))
            (br_if $plane (local.tee $x (i32.sub (local.get $x) (i32.const 1)))))
          (local.set $src (i32.add (local.get $src) (i32.const 16)))
          (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
          ;; fewer than 4 floats left: step back so the last step ends at the row's end
          (local.set $back (i32.sub (local.get $src) (i32.sub (local.get $end) (i32.const 16))))
          (if (i32.and (i32.gt_s (local.get $back) (i32.const 0)) (i32.lt_u (local.get $src) (local.get $end))) (then
            (local.set $src (i32.sub (local.get $src) (local.get $back)))
            (local.set $dst (i32.sub (local.get $dst) (local.get $back)))))
          (br_if $step (i32.lt_u (local.get $src) (local.get $end))))
        (local.set $src (i32.add (i32.sub (local.get $src) (local.get $rowBytes)) (local.get $chanBytes)))
        (br_if $channel (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tile))))
;;@end A
