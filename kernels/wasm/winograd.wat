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

  ;; The weight transform, once per conv at load, one 8-filter panel per call:
  ;;   dst (alpha, channels * dim, 8) <- U[x, c, d] = sum_j G[x, j] w[f, c, j, d],  f = lane
  ;; from the panel's 8 rows of raw weight (8, channels, k, dim) in scratch (the caller copies
  ;; them in, zero rows past the conv's filters). Per channel, 4 columns d at a time, each tap's
  ;; 8 x 4 block is transposed (as `pack` does) into `groups` (k, 4, 8), so the k 8-filter groups
  ;; of a column are loaded once for all alpha planes. The conv's weights are never copied into
  ;; wasm memory whole, nor packed for the direct kernel first: at INIT what costs is memory
  ;; touched for the first time (a page fault per 4 KiB) and the instructions of Liftoff's
  ;; baseline code, which this loop runs as (once, in a cold process). When dim is not a
  ;; multiple of 4 the last block overlaps the one before it (rewrites identical values), so
  ;; dim >= 4 is all it needs. One function per k (2..7), the taps unrolled. Float32 (MADD);
  ;; the js backend computes U in float64, and the golden and parity errors of the two show no
  ;; difference that U's rounding explains.
  ;; Returns 1 when some U value is not finite (finite weights near ±3.4e38 whose combinations
  ;; overflow), else 0: every stored pair is also multiplied by 0 into $bad, which stays 0 unless
  ;; an infinity or a NaN went by (inf * 0 = NaN), so the caller needs no second pass over U.
;;@repeat K 2 8
  (func (export "winograd_weights${K}")
    (param $dst i32)     ;; this panel's (alpha, channels * dim, 8) f32
    (param $rows i32)    ;; (8, channels, k, dim) f32: the panel's filters, zero rows past the conv's
    (param $channels i32) (param $dim i32) (param $alpha i32)
    (param $g i32)       ;; (alpha, k) f32
    (param $groups i32)  ;; scratch (k, 4, 8) f32: one block of 4 columns, transposed
    (result i32)         ;; 1: some U value overflowed float32
    (local $tapBytes i32) (local $rowBytes i32) (local $planeBytes i32) (local $lastD i32)
    (local $c i32) (local $d i32) (local $i i32) (local $x i32) (local $gx i32) (local $dp i32) (local $gi i32)
    (local $acc0 v128) (local $acc1 v128) (local $s v128)
    (local $bad v128)    ;; f32x4: sum of (acc0 + acc1) * 0 over every store; NaN lanes mark overflow
;;@repeat J 0 K
    (local $w${J}0 v128) (local $w${J}1 v128)
;;@end J
    (local.set $tapBytes (i32.shl (local.get $dim) (i32.const 2)))                              ;; one tap's dim floats
    (local.set $rowBytes (i32.mul (i32.mul (local.get $channels) (i32.const ${K})) (local.get $tapBytes))) ;; one filter
    (local.set $planeBytes (i32.shl (i32.mul (local.get $channels) (local.get $dim)) (i32.const 5)))   ;; one plane of dst
    (local.set $lastD (i32.sub (local.get $tapBytes) (i32.const 16)))
    (loop $channel
      (local.set $d (i32.const 0))
      (loop $block
        (local.set $d (select (local.get $lastD) (local.get $d) (i32.gt_u (local.get $d) (local.get $lastD))))
        (call $transpose_taps (local.get $groups) (i32.const ${K}) (local.get $tapBytes) (local.get $rowBytes)
          (i32.add (i32.add (local.get $rows) (local.get $d)) (i32.mul (i32.mul (local.get $c) (i32.const ${K})) (local.get $tapBytes))))
        ;; the 4 columns: U for every plane, from the k groups of each
        (local.set $gi (local.get $groups))
        (local.set $i (i32.const 4))
        (local.set $dp (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $c) (local.get $tapBytes)) (local.get $d)) (i32.const 3))))
        (loop $column
;;@repeat J 0 K
          (local.set $w${J}0 (v128.load offset=${128 * J} (local.get $gi)))
          (local.set $w${J}1 (v128.load offset=${128 * J + 16} (local.get $gi)))
;;@end J
          (local.set $gx (local.get $g))
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
          ;; dp: past plane alpha - 1 of this column -> plane 0 of the next column
          (local.set $dp (i32.sub (i32.add (local.get $dp) (i32.const 32)) (i32.mul (local.get $planeBytes) (local.get $alpha))))
          (local.set $gi (i32.add (local.get $gi) (i32.const 32)))
          (br_if $column (local.tee $i (i32.sub (local.get $i) (i32.const 1)))))
        (local.set $d (i32.add (local.get $d) (i32.const 16)))
        (br_if $block (i32.lt_u (local.get $d) (local.get $tapBytes))))
      (br_if $channel (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels))))
    (v128.any_true (f32x4.ne (local.get $bad) (local.get $bad))))
;;@end K

  ;; For winograd_weightsK: rows 0..7 x columns d..d+3 of each of k taps, transposed
  ;; ($transpose8x4, as `pack` does) into groups (k, 4, 8): the 8-filter group of column i of
  ;; tap j at groups + 128 j + 32 i.
  (func $transpose_taps
    (param $groups i32)  ;; out (k, 4, 8) f32
    (param $k i32) (param $tapBytes i32) (param $rowBytes i32)
    (param $p0 i32)      ;; row 0, tap 0, column d; row r at p0 + r * rowBytes, tap j at + j * tapBytes
;;@repeat L 1 8
    (local $p${L} i32)
;;@end L
;;@repeat L 1 8
    (local.set $p${L} (i32.add (local.get $p${L - 1}) (local.get $rowBytes)))
;;@end L
    (loop $tap
      (call $transpose8x4 (local.get $groups)
        (local.get $p0) (local.get $p1) (local.get $p2) (local.get $p3) (local.get $p4) (local.get $p5) (local.get $p6) (local.get $p7))
;;@repeat L 0 8
      (local.set $p${L} (i32.add (local.get $p${L}) (local.get $tapBytes)))
;;@end L
      (local.set $groups (i32.add (local.get $groups) (i32.const 128)))
      (br_if $tap (local.tee $k (i32.sub (local.get $k) (i32.const 1))))))

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
