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

  ;; dst (panels, alpha, channels * dim, 8) <- U[f, x, c, d] = sum_j G[x, j] w[f, c, j, d], from
  ;; src (filters, channels, k, dim) and G (alpha, k) f32. Four d at a time in f32x4 (MADD):
  ;; computing U in float64 and rounding once changed no measured error (bench/winograd-error.ts
  ;; prints both), and float32 keeps this load-time loop short in a cold process.
  (func (export "winograd_pack")
    (param $dst i32) (param $src i32)
    (param $filters i32) (param $channels i32) (param $k i32) (param $dim i32) (param $alpha i32)
    (param $g i32)     ;; (alpha, k) f32
    (local $f i32) (local $c i32) (local $x i32) (local $j i32) (local $d i32) (local $n i32)
    (local $in i32) (local $out i32) (local $gx i32) (local $pw i32) (local $rowBytes i32) (local $kBytes i32)
    (local $acc v128) (local $s v128) (local $w v128)
    (local.set $rowBytes (i32.shl (local.get $dim) (i32.const 2)))
    (local.set $kBytes (i32.mul (local.get $channels) (local.get $rowBytes)))
    ;; every byte of the packed layer, padding lanes included
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (i32.shr_u (i32.add (local.get $filters) (i32.const 7)) (i32.const 3))
        (local.get $alpha)) (local.get $kBytes)) (i32.const 3)))
    (block $filtersDone (loop $filter
      (br_if $filtersDone (i32.ge_u (local.get $f) (local.get $filters)))
      (local.set $c (i32.const 0))
      (loop $channel
        (local.set $x (i32.const 0))
        (loop $plane
          ;; out: (panel f >> 3, plane x, float c * dim, lane f & 7)
          (local.set $out (i32.add (local.get $dst) (i32.add
            (i32.shl (i32.add (i32.mul (i32.add (i32.mul (i32.shr_u (local.get $f) (i32.const 3)) (local.get $alpha)) (local.get $x))
              (local.get $kBytes)) (i32.mul (local.get $c) (local.get $rowBytes))) (i32.const 3))
            (i32.shl (i32.and (local.get $f) (i32.const 7)) (i32.const 2)))))
          (local.set $in (i32.mul (i32.add (i32.mul (local.get $f) (local.get $channels)) (local.get $c))
            (i32.mul (local.get $k) (local.get $rowBytes))))
          (local.set $in (i32.add (local.get $src) (local.get $in)))
          (local.set $gx (i32.add (local.get $g) (i32.shl (i32.mul (local.get $x) (local.get $k)) (i32.const 2))))
          (local.set $d (i32.const 0))
          (block $dDone (loop $dims
            (br_if $dDone (i32.ge_u (local.get $d) (local.get $dim)))
            (local.set $n (i32.sub (local.get $dim) (local.get $d))) ;; 4 at a time, then 1
            (local.set $acc (v128.const i64x2 0 0))
            (local.set $j (i32.const 0))
            (loop $tap
              (local.set $s (v128.load32_splat (i32.add (local.get $gx) (i32.shl (local.get $j) (i32.const 2)))))
              (local.set $pw (i32.add (i32.add (local.get $in) (i32.shl (local.get $d) (i32.const 2)))
                (i32.mul (local.get $j) (local.get $rowBytes))))
              (local.set $w (if (result v128) (i32.ge_u (local.get $n) (i32.const 4))
                (then (v128.load (local.get $pw)))
                (else (v128.load32_zero (local.get $pw))))) ;; the last d < 4: one lane, no read past the weight
              MADD($acc, $s, $w)
              (br_if $tap (i32.lt_u (local.tee $j (i32.add (local.get $j) (i32.const 1))) (local.get $k))))
            (v128.store32_lane 0 (local.get $out) (local.get $acc))
            (if (i32.ge_u (local.get $n) (i32.const 4)) (then
              (v128.store32_lane offset=32 1 (local.get $out) (local.get $acc))
              (v128.store32_lane offset=64 2 (local.get $out) (local.get $acc))
              (v128.store32_lane offset=96 3 (local.get $out) (local.get $acc))
              (local.set $out (i32.add (local.get $out) (i32.const 128)))
              (local.set $d (i32.add (local.get $d) (i32.const 4))))
            (else
              (local.set $out (i32.add (local.get $out) (i32.const 32)))
              (local.set $d (i32.add (local.get $d) (i32.const 1)))))
            (br $dims)))
          (br_if $plane (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
        (br_if $channel (i32.lt_u (local.tee $c (i32.add (local.get $c) (i32.const 1))) (local.get $channels))))
      (local.set $f (i32.add (local.get $f) (i32.const 1)))
      (br $filter))))

  ;; The input transform for alpha = A (one function per A, 4..8, so the A rows of a tile live
  ;; in locals): for each tile t and channel c, 4 embedding floats at a time (then 1),
  ;;   V[x, t, c * dim + d] = sum_j B^T[x, j] * row_j[d],   row_j = padded row desc[t] + j of channel c.
;;@repeat A 4 9
  (func (export "winograd_input${A}")
    (param $v i32)          ;; out: (alpha, tiles, channels * dim) f32
    (param $planeBytes i32) ;; tiles * channels * dim * 4: from plane x to plane x + 1 of V
    (param $desc i32)       ;; (tiles, 3) i32; [0]: byte offset of the tile's first padded row in channel 0
    (param $tiles i32)
    (param $channels i32)
    (param $rowBytes i32)   ;; dim * 4
    (param $chanBytes i32)  ;; bytes from a row of channel c to the same row of channel c + 1
    (param $bt i32)         ;; (alpha, alpha) f32 B^T
    (local $t i32) (local $c i32) (local $src i32) (local $dst i32) (local $end i32) (local $vecEnd i32)
    (local $b v128) (local $acc v128)
;;@repeat J 0 A
    (local $x${J} v128) (local $r${J} i32) (local $p${J} i32)
;;@end J
;;@repeat J 0 A
    (local.set $r${J} (i32.mul (local.get $rowBytes) (i32.const ${J})))
    (local.set $p${J} (i32.mul (local.get $planeBytes) (i32.const ${J})))
;;@end J
    (local.set $dst (local.get $v))
    (block $tilesDone (loop $tile
      (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $tiles)))
      (local.set $src (i32.load (i32.add (local.get $desc) (i32.mul (local.get $t) (i32.const 12)))))
      (local.set $c (local.get $channels))
      (loop $channel
        (local.set $end (i32.add (local.get $src) (local.get $rowBytes)))
        (local.set $vecEnd (i32.add (local.get $src) (i32.and (local.get $rowBytes) (i32.const -16))))
;;@repeat S 0 2
        ;; ${S ? 'then one float at a time' : 'four floats at a time'}
        (block $done${S} (loop $step${S}
          (br_if $done${S} (i32.ge_u (local.get $src) (local.get ${S ? '$end' : '$vecEnd'})))
;;@repeat J 0 A
          (local.set $x${J} (${S ? 'v128.load32_zero' : 'v128.load'} (i32.add (local.get $src) (local.get $r${J}))))
;;@end J
;;@repeat X 0 A
          (local.set $acc (v128.const i64x2 0 0))
;;@repeat J 0 A
          (local.set $b (v128.load32_splat offset=${4 * (X * A + J)} (local.get $bt)))
          MADD($acc, $b, $x${J})
;;@end J
          (${S ? 'v128.store32_lane 0' : 'v128.store'} (i32.add (local.get $dst) (local.get $p${X})) (local.get $acc))
;;@end X
          (local.set $src (i32.add (local.get $src) (i32.const ${S ? 4 : 16})))
          (local.set $dst (i32.add (local.get $dst) (i32.const ${S ? 4 : 16})))
          (br $step${S})))
;;@end S
        (local.set $src (i32.add (i32.sub (local.get $src) (local.get $rowBytes)) (local.get $chanBytes)))
        (br_if $channel (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tile))))
;;@end A

  ;; The GEMMs and the output transform, for every panel of 8 filters:
  ;;   M[x, t, 0..8) = sum_i V[x, t, i] * U[panel, x, i, 0..8)        (x < alpha, t < tiles)
  ;;   out[desc[t].out + panel * 32] = max(itself, max_{i < desc[t].valid} sum_x A^T[i, x] M[x, t])
  ;; The tiles of a plane go 4 at a time through the micro-kernel (the last 4 clamped to the last
  ;; tile: a duplicate row recomputes and rewrites the same M). A panel's weights for one plane,
  ;; channels * dim * 32 bytes, stay in L1 while every tile of the call passes; M is small scratch.
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
    (param $mt i32)         ;; scratch M (alpha, tiles, 8) f32
    (local $p i32) (local $x i32) (local $t i32) (local $i i32) (local $wp i32) (local $pb i32) (local $end i32)
    (local $planeBytes i32) (local $last i32) (local $o i32) (local $valid i32) (local $mp i32) (local $ap i32)
    (local $b0 v128) (local $b1 v128) (local $y0 v128) (local $y1 v128) (local $mx0 v128) (local $mx1 v128) (local $s v128)
    (local $m0 v128) (local $m1 v128)
;;@repeat R 0 4
    (local $q${R} i32) (local $a${R} v128) (local $c${R}0 v128) (local $c${R}1 v128)
;;@end R
    (local.set $planeBytes (i32.mul (local.get $tiles) (local.get $kcBytes)))
    (local.set $wp (local.get $u))
    (block $panelsDone (loop $panel
      (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
      (local.set $x (i32.const 0))
      (loop $plane
        (local.set $last (i32.add (i32.add (local.get $v) (i32.mul (local.get $x) (local.get $planeBytes)))
          (i32.mul (i32.sub (local.get $tiles) (i32.const 1)) (local.get $kcBytes)))) ;; V row of the last tile
        (local.set $t (i32.const 0))
        (loop $group
          ;; tiles t .. t + 3 (clamped to the last) of plane x x filters 8p .. 8p + 7
          (local.set $q0 (i32.add (i32.add (local.get $v) (i32.mul (local.get $x) (local.get $planeBytes)))
            (i32.mul (local.get $t) (local.get $kcBytes))))
;;@repeat R 1 4
          (local.set $q${R} (i32.add (local.get $q${R - 1}) (local.get $kcBytes)))
          (local.set $q${R} (select (local.get $q${R}) (local.get $last) (i32.lt_u (local.get $q${R}) (local.get $last))))
;;@end R
;;@repeat R 0 4
          (local.set $c${R}0 (v128.const i64x2 0 0)) (local.set $c${R}1 (v128.const i64x2 0 0))
;;@end R
          (local.set $pb (local.get $wp))
          (local.set $end (i32.add (local.get $q0) (local.get $kcBytes)))
          (loop $k
            (local.set $b0 (v128.load (local.get $pb)))
            (local.set $b1 (v128.load offset=16 (local.get $pb)))
;;@repeat R 0 4
            (local.set $a${R} (v128.load32_splat (local.get $q${R})))
;;@end R
;;@repeat R 0 4
            MADD($c${R}0, $a${R}, $b0) MADD($c${R}1, $a${R}, $b1)
;;@end R
            (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
;;@repeat R 0 4
            (local.set $q${R} (i32.add (local.get $q${R}) (i32.const 4)))
;;@end R
            (br_if $k (i32.lt_u (local.get $q0) (local.get $end))))
          ;; M[x, tile of row R] <- the row's 8 sums (a clamped row rewrites the last tile's)
;;@repeat R 0 4
          (local.set $o (i32.add (local.get $mt) (i32.shl (i32.add (i32.mul (local.get $x) (local.get $tiles))
            (select (i32.add (local.get $t) (i32.const ${R})) (i32.sub (local.get $tiles) (i32.const 1))
              (i32.lt_u (i32.add (local.get $t) (i32.const ${R})) (local.get $tiles)))) (i32.const 5))))
          (v128.store (local.get $o) (local.get $c${R}0))
          (v128.store offset=16 (local.get $o) (local.get $c${R}1))
;;@end R
          (br_if $group (i32.lt_u (local.tee $t (i32.add (local.get $t) (i32.const 4))) (local.get $tiles))))
        (local.set $wp (i32.add (local.get $wp) (i32.shl (local.get $kcBytes) (i32.const 3))))
        (br_if $plane (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
      ;; output transform of this panel, tile by tile, into the running max
      (local.set $t (i32.const 0))
      (block $tilesDone (loop $tile
        (br_if $tilesDone (i32.ge_u (local.get $t) (local.get $tiles)))
        (local.set $o (i32.add (i32.load offset=4 (i32.add (local.get $desc) (i32.mul (local.get $t) (i32.const 12))))
          (i32.shl (local.get $p) (i32.const 5))))
        (local.set $valid (i32.load offset=8 (i32.add (local.get $desc) (i32.mul (local.get $t) (i32.const 12)))))
        (local.set $mx0 (v128.load (local.get $o)))
        (local.set $mx1 (v128.load offset=16 (local.get $o)))
        (local.set $ap (local.get $at))
        (local.set $i (i32.const 0))
        (loop $output
          (local.set $y0 (v128.const i64x2 0 0)) (local.set $y1 (v128.const i64x2 0 0))
          (local.set $mp (i32.add (local.get $mt) (i32.shl (local.get $t) (i32.const 5))))
          (local.set $x (i32.const 0))
          (loop $sum
            (local.set $s (v128.load32_splat (local.get $ap)))
            (local.set $m0 (v128.load (local.get $mp)))
            (local.set $m1 (v128.load offset=16 (local.get $mp)))
            MADD($y0, $s, $m0) MADD($y1, $s, $m1)
            (local.set $ap (i32.add (local.get $ap) (i32.const 4)))
            (local.set $mp (i32.add (local.get $mp) (i32.shl (local.get $tiles) (i32.const 5))))
            (br_if $sum (i32.lt_u (local.tee $x (i32.add (local.get $x) (i32.const 1))) (local.get $alpha))))
          (local.set $mx0 (f32x4.max (local.get $mx0) (local.get $y0)))
          (local.set $mx1 (f32x4.max (local.get $mx1) (local.get $y1)))
          (br_if $output (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $valid))))
        (v128.store (local.get $o) (local.get $mx0))
        (v128.store offset=16 (local.get $o) (local.get $mx1))
        (local.set $t (i32.add (local.get $t) (i32.const 1)))
        (br $tile)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $panel))))

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
