  ;; Winograd convolution, part 2 (part 1, the overview and the transforms: winograd.wat): the alpha
  ;; GEMMs with the output transform fused into max over time, and bias + activation at the end.
  ;; Spliced into tinycnn.wat's module by kernels/build.mjs (;;@include).

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
