  ;; Winograd / Toom-Cook F(m, k) convolution along time (kernels/js/toom-cook.ts builds the
  ;; matrices; src/backend/wasm-winograd.ts stages, plans and calls). This file is spliced into
  ;; tinycnn.wat's module by kernels/build.mjs (;;@include), so it shares its memory, its MADD
  ;; flavours and $activate.
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
  ;; Packed transformed weight (winograd_pack writes it): (panels, alpha, channels * dim, 8),
  ;; filter f = 8 * panel + lane; lanes >= filters are 0.

  ;; The weight transform, once per conv at load, on weights already packed for the direct kernel:
  ;;   dst (panels, alpha, channels * dim, 8) <- U[x, c, d] = sum_j G[x, j] W[c, j, d]
  ;; where W (panels, channels, k * dim, 8) is what `pack` makes of (filters, channels, k, dim), so
  ;; every load and store is a contiguous 8-filter group and the k groups of a (c, d) are loaded
  ;; once for all alpha planes. One function per k (2..7), the taps unrolled: this loop runs once,
  ;; in a cold process, as Liftoff's baseline code, where the instructions per multiply-add are
  ;; what counts. Float32 (MADD); the js backend computes U in float64, and the golden and parity
  ;; errors of the two show no difference that U's rounding explains.
;;@repeat K 2 8
  (func (export "winograd_weights${K}")
    (param $dst i32)     ;; (panels, alpha, channels * dim, 8) f32
    (param $w i32)       ;; (panels, channels, k * dim, 8) f32: the direct kernel's packed weight
    (param $panels i32) (param $channels i32) (param $dim i32) (param $alpha i32)
    (param $g i32)       ;; (alpha, k) f32
    (local $p i32) (local $c i32) (local $x i32) (local $dEnd i32) (local $gx i32) (local $dp i32)
    (local $planeBytes i32) (local $tapBytes i32) (local $acc0 v128) (local $acc1 v128) (local $s v128)
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
      (br_if $panel (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels)))))
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

  ;; The GEMMs and the output transform:
  ;;   M[p, x, t, 0..8) = sum_i V[x, t, i] * U[p, x, i, 0..8)         (panel p, plane x < alpha, tile t)
  ;;   out[desc[t].out + p * 32] = max(itself, max_{i < desc[t].valid} sum_x A^T[i, x] M[p, x, t])
  ;; The tiles go through register tiles that waste no row (a tile count is rarely a multiple
  ;; of 4, and 4 rows is all the register file holds next to 8 filters' weights):
  ;;   tiles 4q .. 4q + 3        4 tiles x  8 filters (one panel):    8 accumulators, 2 weight + 4 input loads
  ;;   2 of the rest             2 tiles x 16 filters (two panels):   8 accumulators, 4 weight + 2 input loads
  ;;   the last one, if odd      1 tile  x 24 filters (three panels): 6 accumulators, 6 weight + 1 input load
  ;; (the last pair or triple of panels repeats the last panel, and sends those sums to a dummy
  ;; slot past M). A panel's weights for one plane, channels * dim * 32 bytes, stay in L1 while
  ;; the tiles pass.
  ;;
  ;; Accuracy: the sums run over the embedding in blocks of 64 floats, each block's sums added
  ;; into M in memory. In the Winograd domain the products are large next to the outputs the
  ;; output transform leaves (it cancels most of them), so one running float32 sum over all
  ;; channels * dim terms was the dominant error (in a float32 emulation of each stage); blocked,
  ;; the median error against float64 on random inputs is below direct convolution's (npm run
  ;; bench:winograd prints both), for 8 loads, adds and stores per 64 k-steps.
  (func (export "winograd_gemm")
    (param $u i32)          ;; packed transformed weight (panels, alpha, kc, 8)
    (param $panels i32)
    (param $alpha i32)
    (param $kcBytes i32)    ;; channels * dim * 4: one V row, the reduction
    (param $v i32)          ;; (alpha, tiles, kc) f32
    (param $tiles i32)
    (param $m i32)          ;; outputs per tile
    (param $at i32)         ;; (m, alpha) f32 A^T
    (param $desc i32)       ;; (tiles, 3) i32: [first row, out byte offset (sentence row + this conv's column), valid outputs]
    (param $mt i32)         ;; scratch M (panels, alpha, tiles, 8) f32, then 64 dummy bytes
    (local $p i32) (local $x i32) (local $t i32) (local $i i32) (local $end i32) (local $full i32) (local $last i32)
    (local $planeBytes i32) (local $wPlane i32) (local $wPanel i32) (local $mPlane i32) (local $mPanel i32)
    (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $mp0 i32) (local $mp1 i32) (local $mp2 i32)
    (local $o i32) (local $valid i32) (local $mp i32) (local $ap i32) (local $blockEnd i32) (local $dummy i32)
    (local $s v128) (local $y0 v128) (local $y1 v128) (local $mx0 v128) (local $mx1 v128)
;;@repeat R 0 4
    (local $q${R} i32) (local $a${R} v128)
;;@end R
;;@repeat V 0 6
    (local $b${V} v128) (local $c0${V} v128)
;;@end V
;;@repeat V 0 4
    (local $c1${V} v128)
;;@end V
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $planeBytes (i32.mul (local.get $tiles) (local.get $kcBytes)))
    (local.set $wPlane (i32.shl (local.get $kcBytes) (i32.const 3)))
    (local.set $wPanel (i32.mul (local.get $alpha) (local.get $wPlane)))
    (local.set $mPlane (i32.shl (local.get $tiles) (i32.const 5)))
    (local.set $mPanel (i32.mul (local.get $alpha) (local.get $mPlane)))
    (local.set $full (i32.and (local.get $tiles) (i32.const -4)))
    (local.set $last (i32.sub (local.get $panels) (i32.const 1)))
    (local.set $dummy (i32.add (local.get $mt) (i32.mul (local.get $panels) (local.get $mPanel))))
    (memory.fill (local.get $mt) (i32.const 0) (i32.sub (local.get $dummy) (local.get $mt))) ;; M: blocks add into it

    ;; 4 tiles x 8 filters, over the tiles 0 .. full
    (if (local.get $full) (then
      (local.set $p (i32.const 0))
      (loop $panel4
        (local.set $x (i32.const 0))
        (loop $plane4
          (local.set $t (i32.const 0))
          (loop $group4
            (local.set $q0 (i32.add (i32.add (local.get $v) (i32.mul (local.get $x) (local.get $planeBytes)))
              (i32.mul (local.get $t) (local.get $kcBytes))))
;;@repeat R 1 4
            (local.set $q${R} (i32.add (local.get $q${R - 1}) (local.get $kcBytes)))
;;@end R
            (local.set $w0 (i32.add (local.get $u) (i32.add (i32.mul (local.get $p) (local.get $wPanel)) (i32.mul (local.get $x) (local.get $wPlane)))))
            (local.set $end (i32.add (local.get $q0) (local.get $kcBytes)))
            (local.set $o (i32.add (local.get $mt) (i32.add (i32.add (i32.mul (local.get $p) (local.get $mPanel))
              (i32.mul (local.get $x) (local.get $mPlane))) (i32.shl (local.get $t) (i32.const 5)))))
            (loop $block4
              (local.set $blockEnd (i32.add (local.get $q0) (i32.const 256)))
              (local.set $blockEnd (select (local.get $blockEnd) (local.get $end) (i32.lt_u (local.get $blockEnd) (local.get $end))))
;;@repeat R 0 4
              (local.set $c${R}0 (v128.const i64x2 0 0)) (local.set $c${R}1 (v128.const i64x2 0 0))
;;@end R
            (loop $k4
              (local.set $b0 (v128.load (local.get $w0)))
              (local.set $b1 (v128.load offset=16 (local.get $w0)))
;;@repeat R 0 4
              (local.set $a${R} (v128.load32_splat (local.get $q${R})))
;;@end R
;;@repeat R 0 4
              MADD($c${R}0, $a${R}, $b0) MADD($c${R}1, $a${R}, $b1)
;;@end R
              (local.set $w0 (i32.add (local.get $w0) (i32.const 32)))
;;@repeat R 0 4
              (local.set $q${R} (i32.add (local.get $q${R}) (i32.const 4)))
;;@end R
              (br_if $k4 (i32.lt_u (local.get $q0) (local.get $blockEnd))))
            ;; M[p, x, t + R] += this block's sums
;;@repeat R 0 4
            (v128.store offset=${32 * R} (local.get $o) (f32x4.add (v128.load offset=${32 * R} (local.get $o)) (local.get $c${R}0)))
            (v128.store offset=${32 * R + 16} (local.get $o) (f32x4.add (v128.load offset=${32 * R + 16} (local.get $o)) (local.get $c${R}1)))
;;@end R
            (br_if $block4 (i32.lt_u (local.get $q0) (local.get $end))))
            (br_if $group4 (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 4))) (local.get $full))))
          (br_if $plane4 (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
        (br_if $panel4 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels))))))

    ;; 2 tiles (full, full + 1) x 16 filters: panels p and p + 1 (past the last: the dummy slot)
    (if (i32.and (local.get $tiles) (i32.const 2)) (then
      (local.set $p (i32.const 0))
      (loop $panel2
        (local.set $x (i32.const 0))
        (loop $plane2
          (local.set $w0 (i32.add (local.get $u) (i32.add (i32.mul (local.get $p) (local.get $wPanel)) (i32.mul (local.get $x) (local.get $wPlane)))))
          (local.set $w1 (select (i32.add (local.get $w0) (local.get $wPanel)) (local.get $w0) (i32.lt_u (local.get $p) (local.get $last))))
          (local.set $q0 (i32.add (i32.add (local.get $v) (i32.mul (local.get $x) (local.get $planeBytes)))
            (i32.mul (local.get $full) (local.get $kcBytes))))
          (local.set $q1 (i32.add (local.get $q0) (local.get $kcBytes)))
          (local.set $end (i32.add (local.get $q0) (local.get $kcBytes)))
          ;; M[p, x, full + R] and M[p + 1, x, full + R]
          (local.set $mp0 (i32.add (local.get $mt) (i32.add (i32.add (i32.mul (local.get $p) (local.get $mPanel))
            (i32.mul (local.get $x) (local.get $mPlane))) (i32.shl (local.get $full) (i32.const 5)))))
          (local.set $mp1 (select (i32.add (local.get $mp0) (local.get $mPanel)) (local.get $dummy) (i32.lt_u (local.get $p) (local.get $last))))
          (loop $block2
            (local.set $blockEnd (i32.add (local.get $q0) (i32.const 256)))
            (local.set $blockEnd (select (local.get $blockEnd) (local.get $end) (i32.lt_u (local.get $blockEnd) (local.get $end))))
;;@repeat V 0 4
            (local.set $c0${V} (v128.const i64x2 0 0)) (local.set $c1${V} (v128.const i64x2 0 0))
;;@end V
            (loop $k2
              (local.set $b0 (v128.load (local.get $w0)))
              (local.set $b1 (v128.load offset=16 (local.get $w0)))
              (local.set $b2 (v128.load (local.get $w1)))
              (local.set $b3 (v128.load offset=16 (local.get $w1)))
              (local.set $a0 (v128.load32_splat (local.get $q0)))
              (local.set $a1 (v128.load32_splat (local.get $q1)))
;;@repeat V 0 4
              MADD($c0${V}, $a0, $b${V}) MADD($c1${V}, $a1, $b${V})
;;@end V
              (local.set $w0 (i32.add (local.get $w0) (i32.const 32)))
              (local.set $w1 (i32.add (local.get $w1) (i32.const 32)))
              (local.set $q0 (i32.add (local.get $q0) (i32.const 4)))
              (local.set $q1 (i32.add (local.get $q1) (i32.const 4)))
              (br_if $k2 (i32.lt_u (local.get $q0) (local.get $blockEnd))))
;;@repeat R 0 2
            (v128.store offset=${32 * R} (local.get $mp0) (f32x4.add (v128.load offset=${32 * R} (local.get $mp0)) (local.get $c${R}0)))
            (v128.store offset=${32 * R + 16} (local.get $mp0) (f32x4.add (v128.load offset=${32 * R + 16} (local.get $mp0)) (local.get $c${R}1)))
            (v128.store offset=${32 * R} (local.get $mp1) (f32x4.add (v128.load offset=${32 * R} (local.get $mp1)) (local.get $c${R}2)))
            (v128.store offset=${32 * R + 16} (local.get $mp1) (f32x4.add (v128.load offset=${32 * R + 16} (local.get $mp1)) (local.get $c${R}3)))
;;@end R
            (br_if $block2 (i32.lt_u (local.get $q0) (local.get $end))))
          (br_if $plane2 (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
        (br_if $panel2 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 2))) (local.get $panels))))))

    ;; 1 tile (tiles - 1, when odd) x 24 filters: panels p, p + 1, p + 2 (past the last: the dummy slot)
    (if (i32.and (local.get $tiles) (i32.const 1)) (then
      (local.set $t (i32.sub (local.get $tiles) (i32.const 1)))
      (local.set $p (i32.const 0))
      (loop $panel1
        (local.set $x (i32.const 0))
        (loop $plane1
          (local.set $w0 (i32.add (local.get $u) (i32.add (i32.mul (local.get $p) (local.get $wPanel)) (i32.mul (local.get $x) (local.get $wPlane)))))
          (local.set $w1 (select (i32.add (local.get $w0) (local.get $wPanel)) (local.get $w0) (i32.lt_u (local.get $p) (local.get $last))))
          (local.set $w2 (select (i32.add (local.get $w1) (local.get $wPanel)) (local.get $w1)
            (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $last))))
          (local.set $q0 (i32.add (i32.add (local.get $v) (i32.mul (local.get $x) (local.get $planeBytes)))
            (i32.mul (local.get $t) (local.get $kcBytes))))
          (local.set $end (i32.add (local.get $q0) (local.get $kcBytes)))
          (local.set $mp0 (i32.add (local.get $mt) (i32.add (i32.add (i32.mul (local.get $p) (local.get $mPanel))
            (i32.mul (local.get $x) (local.get $mPlane))) (i32.shl (local.get $t) (i32.const 5)))))
          (local.set $mp1 (select (i32.add (local.get $mp0) (local.get $mPanel)) (local.get $dummy) (i32.lt_u (local.get $p) (local.get $last))))
          (local.set $mp2 (select (i32.add (local.get $mp1) (local.get $mPanel)) (local.get $dummy)
            (i32.lt_u (i32.add (local.get $p) (i32.const 1)) (local.get $last))))
          (loop $block1
            (local.set $blockEnd (i32.add (local.get $q0) (i32.const 256)))
            (local.set $blockEnd (select (local.get $blockEnd) (local.get $end) (i32.lt_u (local.get $blockEnd) (local.get $end))))
;;@repeat V 0 6
            (local.set $c0${V} (v128.const i64x2 0 0))
;;@end V
            (loop $k1
              (local.set $b0 (v128.load (local.get $w0)))
              (local.set $b1 (v128.load offset=16 (local.get $w0)))
              (local.set $b2 (v128.load (local.get $w1)))
              (local.set $b3 (v128.load offset=16 (local.get $w1)))
              (local.set $b4 (v128.load (local.get $w2)))
              (local.set $b5 (v128.load offset=16 (local.get $w2)))
              (local.set $a0 (v128.load32_splat (local.get $q0)))
;;@repeat V 0 6
              MADD($c0${V}, $a0, $b${V})
;;@end V
              (local.set $w0 (i32.add (local.get $w0) (i32.const 32)))
              (local.set $w1 (i32.add (local.get $w1) (i32.const 32)))
              (local.set $w2 (i32.add (local.get $w2) (i32.const 32)))
              (local.set $q0 (i32.add (local.get $q0) (i32.const 4)))
              (br_if $k1 (i32.lt_u (local.get $q0) (local.get $blockEnd))))
;;@repeat V 0 3
            (v128.store (local.get $mp${V}) (f32x4.add (v128.load (local.get $mp${V})) (local.get $c0${2 * V})))
            (v128.store offset=16 (local.get $mp${V}) (f32x4.add (v128.load offset=16 (local.get $mp${V})) (local.get $c0${2 * V + 1})))
;;@end V
            (br_if $block1 (i32.lt_u (local.get $q0) (local.get $end))))
          (br_if $plane1 (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
        (br_if $panel1 (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 3))) (local.get $panels))))))

    ;; output transform, panel by panel and tile by tile, into the running max
    (local.set $p (i32.const 0))
    (loop $panelOut
      (local.set $t (i32.const 0))
      (loop $tile
        (local.set $o (i32.add (i32.load offset=4 (i32.add (local.get $desc) (i32.mul (local.get $t) (i32.const 12))))
          (i32.shl (local.get $p) (i32.const 5))))
        (local.set $valid (i32.load offset=8 (i32.add (local.get $desc) (i32.mul (local.get $t) (i32.const 12)))))
        (local.set $mx0 (v128.load (local.get $o)))
        (local.set $mx1 (v128.load offset=16 (local.get $o)))
        (local.set $ap (local.get $at))
        (local.set $i (i32.const 0))
        (loop $output
          (local.set $y0 (v128.const i64x2 0 0)) (local.set $y1 (v128.const i64x2 0 0))
          (local.set $mp (i32.add (local.get $mt) (i32.add (i32.mul (local.get $p) (local.get $mPanel)) (i32.shl (local.get $t) (i32.const 5)))))
          (local.set $x (i32.const 0))
          (loop $sum
            (local.set $s (v128.load32_splat (local.get $ap)))
            (local.set $b0 (v128.load (local.get $mp)))
            (local.set $b1 (v128.load offset=16 (local.get $mp)))
            MADD($y0, $s, $b0) MADD($y1, $s, $b1)
            (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
            (local.set $mp (i32.add (local.get $mp) (local.get $mPlane)))
            (br_if $sum (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
          (local.set $mx0 (f32x4.max (local.get $mx0) (local.get $y0)))
          (local.set $mx1 (f32x4.max (local.get $mx1) (local.get $y1)))
          (br_if $output (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $valid))))
        (v128.store (local.get $o) (local.get $mx0))
        (v128.store offset=16 (local.get $o) (local.get $mx1))
        (br_if $tile (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 1))) (local.get $tiles))))
      (br_if $panelOut (i32.lt_u (local.tee $p (i32.add (local.get $p) (i32.const 1))) (local.get $panels)))))

  ;; out[r, 0 .. panels * 8) <- act(out[r, ...] + bias) for each of `rows` rows, outStride bytes apart:
  ;; after the last winograd_gemm call, once per (sentence, filter).
  (func (export "winograd_finish")
    (param $out i32) (param $outStride i32) (param $rows i32) (param $bias i32) (param $panels i32) (param $act i32)
    (local $r i32) (local $p i32) (local $o i32)
    (block $rowsDone (loop $row
      (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $r) (local.get $outStride))))
      (local.set $p (i32.const 0))
      (block $panelsDone (loop $panel
        (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
        (v128.store (local.get $o) (call $activate (f32x4.add (v128.load (local.get $o))
          (v128.load (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 5))))) (local.get $act)))
        (v128.store offset=16 (local.get $o) (call $activate (f32x4.add (v128.load offset=16 (local.get $o))
          (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 5))))) (local.get $act)))
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $panel)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $row))))
