;; tinycnn kernels: every op Kim CNN and SM CNN need, in one small module.
;;
;; Why hand-written WebAssembly text assembled by wabt (not AssemblyScript, not
;; C/Emscripten): the speed of this module is decided by one inner loop, and in
;; WAT we choose exactly which v128 values are live in it, which instruction does
;; each job (v128.load32_splat -> one vbroadcastss from memory, relaxed_madd ->
;; one vfmadd231ps), and what the loop looks like to V8's optimiser. There is no
;; runtime, allocator or GC in the module: it is ~12 KB (4.2 KB of it the direct kernels; the Winograd ones are spliced in from winograd.wat and winograd-gemm.wat), compiles and instantiates in under
;; a millisecond, and JS owns the memory layout. kernels/build.mjs expands the
;; MADD macro (and ;;@define, ;;@repeat) and assembles two flavours from this one
;; source: plain SIMD128 (MADD = f32x4.mul + f32x4.add) and relaxed SIMD
;; (MADD = f32x4.relaxed_madd).
;;
;; Register budget. V8 gives wasm 15 allocatable XMM registers on x86_64 (xmm15 is
;; its scratch) and TurboFan schedules every load of a loop body ahead of the
;; arithmetic that uses it. So the live set of a k-loop trip is all its loaded
;; values plus the accumulators: the 4 x 8 conv tile keeps 8 accumulators + 2
;; weight vectors + 4 broadcast inputs = 14 live (+1 temporary for mul + add in
;; the plain flavour). That is why the k-loop is written with ONE k-step per trip:
;; unrolled 4x in the source, its 24 loads were all hoisted to the top of the trip,
;; 32 live vectors spilled to the stack, and the kernel ran at ~48% of peak instead
;; of ~80%. V8 unrolls the loop itself (4-5 copies, each with its own loads) without
;; that problem. The tile height MR is a ;;@define: measured on the Kim bank at 20
;; tokens (relaxed, Zen 5), MR = 3: 45 GFLOP/s, 4: 53, 5: 28, 6: 31 — at 5 rows the
;; 17 live vectors spill. At MR = 4 the kernel runs at the speed of a register-only
;; loop with 8 madd chains (~53 of the ~62 GFLOP/s that 10-14 chains reach): the 8
;; accumulators are the limit, and there is no register left for more.
;;
;; Memory is one exported linear memory laid out by JS (src/backend/wasm-memory.ts):
;; packed weights at the bottom for the life of the backend, per-call scratch
;; above them. Every pointer below is a byte offset; packed weights are 64-byte
;; aligned (v128 loads), staged sentence rows only 4-byte (broadcast loads).
;;
;; Packed layouts (the pack function below writes them; src/backend/wasm-pack.ts is the JS reference):
;;   conv weight  (panels, channels, k * dim, 8)  filter f = 8 * panel + lane; lanes >= filters are 0
;;   conv bias    (panels * 8)
;;   dense weight (panels, inFeatures, 8)         output o = 8 * panel + lane
;;   dense bias   (panels * 8)
(module
  (memory (export "memory") 1)
  ;; Bumped when a signature or a packed layout changes; JS refuses a module with another value.
  (global (export "abi") i32 (i32.const 6))
  ;; 0: plain SIMD128, 1: relaxed SIMD.
  (global (export "flavour") i32 (i32.const FLAVOUR))

  ;; A bank member: the wide convolution of every sentence with one packed conv,
  ;; + bias, activation and max over time, all fused:
  ;;   out[s, f] = act(bias[f] + max_t sum_{c, i < k * dim} w[f, c, i] * xpad_s[c][t * dim + i])
  ;; for t in [0, tokens_s + k - 1). The window of output t is rows t..t+k-1 of the
  ;; sentence's padded channel block: k * dim contiguous floats, so the GEMM reads
  ;; its rows straight from the staged input (no im2col copy) and the
  ;; (tokens + k - 1, filters) activation matrix is never written.
  ;;
  ;; Max over time commutes with a monotone non-decreasing activation (ReLU, tanh)
  ;; and with adding a constant: max_t act(b + z_t) = act(b + max_t z_t). So the
  ;; epilogue of each MR-row tile only folds its accumulators into a running max of
  ;; raw dot products, and bias + activation run once per (sentence, filter).
  ;;
  ;; Loop order: panel of 8 filters (its k * dim * channels * 32 bytes stay in L1/L2)
  ;; -> block -> tile of MR output rows -> channel -> k * dim. A block is a range of
  ;; windows of one sentence (a whole sentence unless it is long). Every block of the
  ;; call sweeps a panel while it is hot, so the weights (1.4 MB for Kim, more than
  ;; L2) come from memory once per call, not once per sentence or row tile; JS sizes
  ;; each call's blocks to ~256 KB of input, so the input stays in L2 across the
  ;; panels too. (On this shared 2-core machine the best-of-runs speed of a 1,000-token
  ;; sentence or a 32-sentence batch is the same with and without the blocks, ~50
  ;; GFLOP/s, while medians swing with the neighbours' load: the blocks bound the
  ;; working set on principle, for smaller or busier caches, not for a measured gain.)
  ;; A block that does not start a sentence folds in the raw max its sentence's
  ;; earlier block stored; the block that ends it applies bias and activation.
  ;; The last tile of a block clamps its row pointers to the block's last window:
  ;; the duplicate rows recompute a value already in the max, which changes nothing.
;;@define MR 4
  (func $conv_maxpool (export "conv_maxpool")
    (param $w i32)          ;; packed weight (panels, channels, kc, 8)
    (param $bias i32)       ;; packed bias (panels * 8)
    (param $panels i32)     ;; ceil(filters / 8)
    (param $channels i32)   ;; input channels (1 or 2)
    (param $kc i32)         ;; floats in one channel's window: k * dim
    (param $rowBytes i32)   ;; dim * 4
    (param $chanBytes i32)  ;; bytes from a sentence's channel c block to its channel c + 1 block
    (param $shift i32)      ;; bytes from a sentence's base to the first row of this conv's padded input
    (param $k1 i32)         ;; k - 1
    (param $desc i32)       ;; (blocks, 5) i32: [sentence base byte offset, tokens, first window, end window, out row]
    (param $blocks i32)
    (param $out i32)        ;; (out rows, outStride / 4) floats; this conv's columns start here
    (param $outStride i32)  ;; bytes between the out rows of two sentences
    (param $act i32)        ;; 0 none, 1 relu, 2 tanh
    (local $p i32) (local $wp i32) (local $panelBytes i32) (local $kcBytes i32)
    (local $d i32) (local $s i32) (local $o i32) (local $a i32) (local $last i32) (local $tokens i32) (local $rows i32)
    (local $t0 i32) (local $tEnd i32) (local $t i32) (local $t1 i32) (local $jLo i32) (local $jHi i32) (local $skip i32) (local $len i32)
    (local $pb i32) (local $end i32) (local $c i32)
    (local $mx0 v128) (local $mx1 v128) (local $b0 v128) (local $b1 v128)
;;@repeat R 0 MR
    (local $q${R} i32) (local $a${R} v128) (local $c${R}0 v128) (local $c${R}1 v128)
;;@end R
    (local.set $kcBytes (i32.shl (local.get $kc) (i32.const 2)))
    (local.set $panelBytes (i32.shl (i32.mul (local.get $kc) (local.get $channels)) (i32.const 5)))
    (local.set $wp (local.get $w))
    (block $panelsDone (loop $panel
      (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
      (local.set $d (local.get $desc))
      (local.set $s (i32.const 0))
      (block $blocksDone (loop $block
        (br_if $blocksDone (i32.ge_u (local.get $s) (local.get $blocks)))
        (local.set $a (i32.add (i32.load (local.get $d)) (local.get $shift)))
        (local.set $tokens (i32.load offset=4 (local.get $d)))
        (local.set $rows (i32.add (local.get $tokens) (local.get $k1))) ;; output positions: tokens + k - 1
        (local.set $t0 (i32.load offset=8 (local.get $d)))
        (local.set $tEnd (i32.load offset=12 (local.get $d)))
        (local.set $o (i32.add (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 5)))
          (i32.mul (i32.load offset=16 (local.get $d)) (local.get $outStride))))
        ;; last = a + (tEnd - 1) * rowBytes: the first row of the block's last window
        (local.set $last (i32.add (local.get $a) (i32.mul (local.get $rowBytes) (i32.sub (local.get $tEnd) (i32.const 1)))))
        (local.set $mx0 (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $mx1 (v128.const f32x4 -inf -inf -inf -inf))
        (local.set $t (local.get $t0))
        (loop $tile
          ;; windows t .. t + MR - 1 (clamped to the block's last one) x filters 8p .. 8p + 7.
          ;; Window u covers padded rows u .. u + k - 1, of which rows < k - 1 and
          ;; >= k - 1 + tokens are zero padding; the tile runs its k-loop only over
          ;; the kernel rows j in [jLo, jHi) where some window of the tile meets a
          ;; real row, skipping products with padding that is zero for every row of
          ;; the tile (the first and last tiles of a sentence).
          (local.set $t1 (i32.add (local.get $t) (i32.const ${MR - 1})))
          (local.set $t1 (select (local.get $t1) (i32.sub (local.get $tEnd) (i32.const 1))
            (i32.lt_s (local.get $t1) (local.get $tEnd))))
          (local.set $jLo (select (i32.sub (local.get $k1) (local.get $t1)) (i32.const 0)
            (i32.gt_s (local.get $k1) (local.get $t1))))
          (local.set $jHi (i32.sub (local.get $rows) (local.get $t))) ;; k - 1 + tokens - t
          (local.set $jHi (select (local.get $jHi) (i32.add (local.get $k1) (i32.const 1))
            (i32.le_s (local.get $jHi) (local.get $k1))))
          (local.set $skip (i32.mul (local.get $jLo) (local.get $rowBytes)))
          (local.set $len (i32.mul (i32.sub (local.get $jHi) (local.get $jLo)) (local.get $rowBytes)))
          (local.set $q0 (i32.add (local.get $a) (i32.mul (local.get $t) (local.get $rowBytes))))
;;@repeat R 1 MR
          (local.set $q${R} (i32.add (local.get $q${R - 1}) (local.get $rowBytes)))
          (local.set $q${R} (select (local.get $q${R}) (local.get $last) (i32.lt_u (local.get $q${R}) (local.get $last))))
;;@end R
;;@repeat R 0 MR
          (local.set $q${R} (i32.add (local.get $q${R}) (local.get $skip)))
          (local.set $c${R}0 (v128.const i64x2 0 0)) (local.set $c${R}1 (v128.const i64x2 0 0))
;;@end R
          (local.set $pb (i32.add (local.get $wp) (i32.shl (local.get $skip) (i32.const 3))))
          (local.set $c (local.get $channels))
          (loop $channel
            ;; the micro-kernel: per k-step, 2 weight loads + MR broadcasts -> 2 MR MADDs (see the header)
            (local.set $end (i32.add (local.get $q0) (local.get $len)))
            (loop $k
              (local.set $b0 (v128.load (local.get $pb)))
              (local.set $b1 (v128.load offset=16 (local.get $pb)))
;;@repeat R 0 MR
              (local.set $a${R} (v128.load32_splat (local.get $q${R})))
;;@end R
;;@repeat R 0 MR
              MADD($c${R}0, $a${R}, $b0) MADD($c${R}1, $a${R}, $b1)
;;@end R
              (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
;;@repeat R 0 MR
              (local.set $q${R} (i32.add (local.get $q${R}) (i32.const 4)))
;;@end R
              (br_if $k (i32.lt_u (local.get $q0) (local.get $end))))
            ;; to the same rows of the next channel, and its weights for kernel row jLo
;;@repeat R 0 MR
            (local.set $q${R} (i32.add (local.get $q${R}) (i32.sub (local.get $chanBytes) (local.get $len))))
;;@end R
            (local.set $pb (i32.add (local.get $pb) (i32.shl (i32.sub (local.get $kcBytes) (local.get $len)) (i32.const 3))))
            (br_if $channel (local.tee $c (i32.sub (local.get $c) (i32.const 1)))))
          ;; tile epilogue: fold the MR rows into the running max of raw dot products
;;@repeat R 0 MR
          (local.set $mx0 (f32x4.max (local.get $mx0) (local.get $c${R}0)))
          (local.set $mx1 (f32x4.max (local.get $mx1) (local.get $c${R}1)))
;;@end R
          (local.set $t (i32.add (local.get $t) (i32.const ${MR})))
          (br_if $tile (i32.lt_s (local.get $t) (local.get $tEnd))))
        ;; block epilogue: fold in the raw max of the sentence's earlier blocks, if any
        (if (local.get $t0) (then
          (local.set $mx0 (f32x4.max (local.get $mx0) (v128.load (local.get $o))))
          (local.set $mx1 (f32x4.max (local.get $mx1) (v128.load offset=16 (local.get $o))))))
        ;; at the sentence's end: bias, then the activation once per filter
        (if (i32.eq (local.get $tEnd) (local.get $rows)) (then
          (local.set $mx0 (call $activate (f32x4.add (local.get $mx0)
            (v128.load (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 5))))) (local.get $act)))
          (local.set $mx1 (call $activate (f32x4.add (local.get $mx1)
            (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $p) (i32.const 5))))) (local.get $act)))))
        (v128.store (local.get $o) (local.get $mx0))
        (v128.store offset=16 (local.get $o) (local.get $mx1))
        (local.set $d (i32.add (local.get $d) (i32.const 20)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $block)))
      (local.set $wp (i32.add (local.get $wp) (local.get $panelBytes)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $panel))))

  ;; nn.Linear with a fused activation over a batch of rows:
  ;;   out[b, o] = act(bias[o] + sum_i w[o, i] * x[b, i])
  ;; A GEMV per row (the heads are tiny: at most 204 x 200). Each panel of 8 outputs
  ;; is swept by every row of the batch while it is in cache. Even and odd k-steps
  ;; go to two accumulator pairs, so 4 multiply-add chains are in flight instead of
  ;; 2 that would wait on the madd latency every step; the pairs are summed at the
  ;; end. (Four pairs would mean 12 loads hoisted ahead of the madds by TurboFan:
  ;; 20 live vectors, and spills — see the header.)
  (func $dense (export "dense")
    (param $w i32)        ;; packed weight (panels, inFeatures, 8)
    (param $bias i32)     ;; packed bias (panels * 8)
    (param $panels i32)   ;; ceil(outFeatures / 8)
    (param $in i32)       ;; inFeatures
    (param $x i32)        ;; (batch, inFeatures) floats
    (param $batch i32)
    (param $out i32)      ;; (batch, panels * 8) floats
    (param $act i32)      ;; 0 none, 1 relu, 2 tanh
    (local $p i32) (local $b i32) (local $wp i32) (local $pb i32) (local $px i32) (local $end i32)
    (local $inBytes i32) (local $po i32)
    (local $a0 v128) (local $a1 v128) (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $s00 v128) (local $s01 v128) (local $s10 v128) (local $s11 v128)
    (local.set $inBytes (i32.shl (local.get $in) (i32.const 2)))
    (local.set $wp (local.get $w))
    (block $panelsDone (loop $panel
      (br_if $panelsDone (i32.ge_u (local.get $p) (local.get $panels)))
      (local.set $b (i32.const 0))
      (block $rowsDone (loop $row
        (br_if $rowsDone (i32.ge_u (local.get $b) (local.get $batch)))
        (local.set $px (i32.add (local.get $x) (i32.mul (local.get $b) (local.get $inBytes))))
        (local.set $pb (local.get $wp))
        (local.set $s00 (v128.const i64x2 0 0)) (local.set $s01 (v128.const i64x2 0 0))
        (local.set $s10 (v128.const i64x2 0 0)) (local.set $s11 (v128.const i64x2 0 0))
        ;; pairs of k-steps, then the odd one out
        (local.set $end (i32.add (local.get $px) (i32.and (local.get $inBytes) (i32.const -8))))
        (block $pairsDone (loop $k
          (br_if $pairsDone (i32.ge_u (local.get $px) (local.get $end)))
          (local.set $a0 (v128.load32_splat (local.get $px)))
          (local.set $a1 (v128.load32_splat offset=4 (local.get $px)))
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $b2 (v128.load offset=32 (local.get $pb)))
          (local.set $b3 (v128.load offset=48 (local.get $pb)))
          MADD($s00, $a0, $b0) MADD($s01, $a0, $b1)
          MADD($s10, $a1, $b2) MADD($s11, $a1, $b3)
          (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
          (local.set $px (i32.add (local.get $px) (i32.const 8)))
          (br $k)))
        (if (i32.and (local.get $in) (i32.const 1)) (then
          (local.set $a0 (v128.load32_splat (local.get $px)))
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          MADD($s00, $a0, $b0) MADD($s01, $a0, $b1)))
        (local.set $po (i32.shl (local.get $p) (i32.const 5)))
        (local.set $s00 (f32x4.add (f32x4.add (local.get $s00) (local.get $s10)) (v128.load (i32.add (local.get $bias) (local.get $po)))))
        (local.set $s01 (f32x4.add (f32x4.add (local.get $s01) (local.get $s11)) (v128.load offset=16 (i32.add (local.get $bias) (local.get $po)))))
        (local.set $po (i32.add (local.get $out) (i32.add (local.get $po)
          (i32.mul (local.get $b) (i32.shl (local.get $panels) (i32.const 5))))))
        (v128.store (local.get $po) (call $activate (local.get $s00) (local.get $act)))
        (v128.store offset=16 (local.get $po) (call $activate (local.get $s01) (local.get $act)))
        (local.set $b (i32.add (local.get $b) (i32.const 1)))
        (br $row)))
      (local.set $wp (i32.add (local.get $wp) (i32.mul (local.get $inBytes) (i32.const 8))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $panel))))

;;@include winograd.wat
;;@include winograd-gemm.wat

  ;; out (4, 8) <- 8 rows x 4 floats, p0..p7 each pointing at its row's 4: lane r of group i
  ;; (out + 32 i) is row r's float i. The transpose of `pack` and of the Winograd weight transform.
  (func $transpose8x4
    (param $out i32)
;;@repeat L 0 8
    (param $p${L} i32)
;;@end L
    (local $a v128) (local $b v128) (local $c v128) (local $d v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
;;@repeat H 0 2
    (local.set $a (v128.load (local.get $p${4 * H})))
    (local.set $b (v128.load (local.get $p${4 * H + 1})))
    (local.set $c (v128.load (local.get $p${4 * H + 2})))
    (local.set $d (v128.load (local.get $p${4 * H + 3})))
    (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a) (local.get $b)))     ;; a0 b0 a1 b1
    (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a) (local.get $b))) ;; a2 b2 a3 b3
    (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $c) (local.get $d)))     ;; c0 d0 c1 d1
    (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $c) (local.get $d))) ;; c2 d2 c3 d3
    (v128.store offset=${16 * H} (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
    (v128.store offset=${16 * H + 32} (local.get $out) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
    (v128.store offset=${16 * H + 64} (local.get $out) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
    (v128.store offset=${16 * H + 96} (local.get $out) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
;;@end H
  )

  ;; Weight packing, once per layer at load (src/backend/wasm-pack.ts keeps the JS reference):
  ;;   dst (panels, cols, 8) <- src (rows, cols), panels = ceil(rows / 8), lanes past `rows` zero.
  ;; A conv weight (filters, channels, k, dim) is this with cols = channels * k * dim, a dense
  ;; weight (out, in) with cols = in. It runs here, not in JS, for the cold start: a fresh
  ;; process runs a per-float JS loop in the interpreter (9-12 ms for Kim's 372k weights, every
  ;; float boxed: ~24 MB of garbage, three scavenges), while Liftoff's code for this loop is
  ;; fast from its first call (~0.3 ms for Kim).
  ;; Per panel: its rows are copied to $tmp (8 * cols floats; rows past `rows` zeroed), then 4
  ;; columns at a time two 4x4 transposes turn 8 row vectors into the 4 columns' 8-lane groups,
  ;; and a leftover cols % 4 columns go one float at a time. A panel's rows are all in $tmp
  ;; before its output is written, so src may lie in the tail of dst (JS copies the raw weight
  ;; there: no memory beyond the packed layer and $tmp) provided
  ;; src >= dst + (panels * 8 - rows) * cols * 4: panel p writes floats [8p cols, (8p + 8) cols)
  ;; of dst and later panels read rows from 8p + 8 on.
  (func (export "pack")
    (param $dst i32)   ;; packed (panels, cols, 8)
    (param $src i32)   ;; (rows, cols) floats, row-major
    (param $rows i32)  ;; output features: filters, or a dense layer's outFeatures
    (param $cols i32)  ;; floats per row: channels * k * dim, or inFeatures
    (param $tmp i32)   ;; 8 * cols floats of scratch, overlapping neither src nor dst
    (local $rowBytes i32) (local $r i32) (local $n i32) (local $o i32) (local $end i32)
;;@repeat L 0 8
    (local $q${L} i32)
;;@end L
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $o (local.get $dst))
    (block $panelsDone (loop $panel
      (br_if $panelsDone (i32.ge_s (local.get $r) (local.get $rows)))
      (local.set $n (i32.sub (local.get $rows) (local.get $r))) ;; real rows in this panel: min(8, rows - r)
      (local.set $n (select (local.get $n) (i32.const 8) (i32.lt_s (local.get $n) (i32.const 8))))
      (memory.copy (local.get $tmp) (i32.add (local.get $src) (i32.mul (local.get $r) (local.get $rowBytes)))
        (i32.mul (local.get $n) (local.get $rowBytes)))
      (memory.fill (i32.add (local.get $tmp) (i32.mul (local.get $n) (local.get $rowBytes))) (i32.const 0)
        (i32.mul (i32.sub (i32.const 8) (local.get $n)) (local.get $rowBytes)))
      (local.set $q0 (local.get $tmp))
;;@repeat L 1 8
      (local.set $q${L} (i32.add (local.get $q${L - 1}) (local.get $rowBytes)))
;;@end L
      ;; columns 4 at a time: rows 4H .. 4H + 3 become lanes 4H .. 4H + 3 of 4 output groups
      (local.set $end (i32.add (local.get $tmp) (i32.and (local.get $rowBytes) (i32.const -16))))
      (block $quadsDone (loop $quad
        (br_if $quadsDone (i32.ge_u (local.get $q0) (local.get $end)))
        (call $transpose8x4 (local.get $o)
          (local.get $q0) (local.get $q1) (local.get $q2) (local.get $q3) (local.get $q4) (local.get $q5) (local.get $q6) (local.get $q7))
;;@repeat L 0 8
        (local.set $q${L} (i32.add (local.get $q${L}) (i32.const 16)))
;;@end L
        (local.set $o (i32.add (local.get $o) (i32.const 128)))
        (br $quad)))
      ;; the last cols % 4 columns, one 8-lane group each
      (local.set $end (i32.add (local.get $tmp) (local.get $rowBytes)))
      (block $onesDone (loop $one
        (br_if $onesDone (i32.ge_u (local.get $q0) (local.get $end)))
;;@repeat L 0 8
        (f32.store offset=${4 * L} (local.get $o) (f32.load (local.get $q${L})))
        (local.set $q${L} (i32.add (local.get $q${L}) (i32.const 4)))
;;@end L
        (local.set $o (i32.add (local.get $o) (i32.const 32)))
        (br $one)))
      (local.set $r (i32.add (local.get $r) (i32.const 8)))
      (br $panel))))

  ;; act 0: identity, 1: ReLU (max(v, 0); NaN stays NaN), 2: tanh.
  (func $activate (param $v v128) (param $act i32) (result v128)
    (if (result v128) (i32.eq (local.get $act) (i32.const 1))
      (then (f32x4.max (local.get $v) (v128.const i64x2 0 0)))
      (else (if (result v128) (i32.eq (local.get $act) (i32.const 2))
        (then (call $tanh4 (local.get $v)))
        (else (local.get $v))))))

  ;; tanh of 4 floats, each evaluated in float64 and rounded once to float32: the
  ;; correctly rounded tanh except within ~1e-13 of a rounding midpoint. Checked
  ;; against fround(Math.tanh) on all 2^31 non-negative float32 values: all but 7
  ;; identical, those 7 (just above the 2^-8 branch point) 1 ulp away. It runs once per (sentence, filter) and once per hidden unit, never
  ;; per multiply-add, so float64 costs little; the two f64x2 halves are computed in
  ;; one body (independent chains the CPU overlaps) with Estrin's scheme, which
  ;; cut the latency-bound cost from ~6.6 to ~4.4 ns per value (400 values: 1.8 us).
  ;;
  ;; With a = min(|x|, 20) (tanh(20) is 1 in float32 and float64; NaN stays NaN):
  ;;   a <  2^-8: a - a^3/3 + 2a^5/15 - 17a^7/315   (next term < 2^-64 relative)
  ;;   a >= 2^-8: 1 - 2 / (exp(2a) + 1)              (absolute error ~3e-16, relative < 1e-13)
  ;; exp(y): y = n ln2 + r with |r| <= ln2/2 (Cody-Waite two-part ln2, n exact), exp(r) by its
  ;; Taylor polynomial to degree 11 (truncation < 7e-15 relative), times 2^n built in the
  ;; exponent bits: n is rounded with the 1.5 * 2^52 trick, which leaves n in the low bits.
  ;; The sign is copied back from x, so tanh(-0) = -0 and tanh(-x) = -tanh(x) exactly.
  (func $tanh4 (param $v v128) (result v128)
    (local $x0 v128) (local $x1 v128) (local $a0 v128) (local $a1 v128) (local $y0 v128) (local $y1 v128)
    (local $nb0 v128) (local $nb1 v128) (local $r0 v128) (local $r1 v128) (local $e0 v128) (local $e1 v128)
    (local $r20 v128) (local $r21 v128) (local $r40 v128) (local $r41 v128)
    (local.set $x0 (f64x2.promote_low_f32x4 (local.get $v)))
    (local.set $x1 (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 8 9 10 11 12 13 14 15 (local.get $v) (local.get $v))))
;;@repeat H 0 2
    (local.set $a${H} (f64x2.min (f64x2.abs (local.get $x${H})) (v128.const f64x2 20 20)))
    (local.set $y${H} (f64x2.add (local.get $a${H}) (local.get $a${H})))
    (local.set $nb${H} (f64x2.add (f64x2.mul (local.get $y${H}) (v128.const f64x2 0x1.71547652b82fep0 0x1.71547652b82fep0))
      (v128.const f64x2 0x1.8p52 0x1.8p52)))
    (local.set $e${H} (f64x2.sub (local.get $nb${H}) (v128.const f64x2 0x1.8p52 0x1.8p52))) ;; n
    (local.set $r${H} (f64x2.sub
      (f64x2.sub (local.get $y${H}) (f64x2.mul (local.get $e${H}) (v128.const f64x2 0x1.62e42feep-1 0x1.62e42feep-1)))
      (f64x2.mul (local.get $e${H}) (v128.const f64x2 0x1.a39ef35793c76p-33 0x1.a39ef35793c76p-33))))
    ;; exp(r) = sum r^i / i!, i <= 11, by Estrin: pairs, then x r^2, x r^4, x r^8
    (local.set $r2${H} (f64x2.mul (local.get $r${H}) (local.get $r${H})))
    (local.set $r4${H} (f64x2.mul (local.get $r2${H}) (local.get $r2${H})))
    (local.set $e${H} (f64x2.add
      (f64x2.add
        (f64x2.add (f64x2.add (v128.const f64x2 1.0 1.0) (f64x2.mul (local.get $r${H}) (v128.const f64x2 1.0 1.0)))
          (f64x2.mul (local.get $r2${H}) (f64x2.add (v128.const f64x2 0.5 0.5) (f64x2.mul (local.get $r${H}) (v128.const f64x2 0.16666666666666666 0.16666666666666666)))))
        (f64x2.mul (local.get $r4${H})
          (f64x2.add (f64x2.add (v128.const f64x2 0.041666666666666664 0.041666666666666664) (f64x2.mul (local.get $r${H}) (v128.const f64x2 0.008333333333333333 0.008333333333333333)))
            (f64x2.mul (local.get $r2${H}) (f64x2.add (v128.const f64x2 0.001388888888888889 0.001388888888888889) (f64x2.mul (local.get $r${H}) (v128.const f64x2 0.0001984126984126984 0.0001984126984126984)))))))
      (f64x2.mul (f64x2.mul (local.get $r4${H}) (local.get $r4${H}))
        (f64x2.add (f64x2.add (v128.const f64x2 2.48015873015873e-05 2.48015873015873e-05) (f64x2.mul (local.get $r${H}) (v128.const f64x2 2.7557319223985893e-06 2.7557319223985893e-06)))
          (f64x2.mul (local.get $r2${H}) (f64x2.add (v128.const f64x2 2.755731922398589e-07 2.755731922398589e-07) (f64x2.mul (local.get $r${H}) (v128.const f64x2 2.505210838544172e-08 2.505210838544172e-08))))))))
    ;; * 2^n: (low bits of nb = n) + 1023, shifted into the exponent field; then 1 - 2 / (e + 1)
    (local.set $e${H} (f64x2.mul (local.get $e${H})
      (i64x2.shl (i64x2.add (local.get $nb${H}) (v128.const i64x2 1023 1023)) (i32.const 52))))
    (local.set $e${H} (f64x2.sub (v128.const f64x2 1 1)
      (f64x2.div (v128.const f64x2 2 2) (f64x2.add (local.get $e${H}) (v128.const f64x2 1 1)))))
    ;; small |x|: the odd Taylor polynomial (r2 reused for a^2)
    (local.set $r2${H} (f64x2.mul (local.get $a${H}) (local.get $a${H})))
    (local.set $y${H} (f64x2.add (local.get $a${H}) (f64x2.mul (f64x2.mul (local.get $a${H}) (local.get $r2${H}))
      (f64x2.add (v128.const f64x2 -0x1.5555555555555p-2 -0x1.5555555555555p-2)
        (f64x2.mul (local.get $r2${H}) (f64x2.add (v128.const f64x2 0x1.1111111111111p-3 0x1.1111111111111p-3)
          (f64x2.mul (local.get $r2${H}) (v128.const f64x2 -0x1.ba1ba1ba1ba1cp-5 -0x1.ba1ba1ba1ba1cp-5))))))))
    (local.set $y${H} (v128.or
      (v128.bitselect (local.get $y${H}) (local.get $e${H}) (f64x2.lt (local.get $a${H}) (v128.const f64x2 0x1p-8 0x1p-8)))
      (v128.and (local.get $x${H}) (v128.const i64x2 0x8000000000000000 0x8000000000000000))))
;;@end H
    (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23
      (f32x4.demote_f64x2_zero (local.get $y0)) (f32x4.demote_f64x2_zero (local.get $y1))))

  ;; In-place tanh over a float32 array (the test hook for $tanh4's accuracy).
  (func (export "tanh") (param $p i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2))))
    (block $done (loop $quad
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store (local.get $p) (call $tanh4 (v128.load (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 16)))
      (br $quad)))
    (local.set $end (i32.add (local.get $p) (i32.shl (i32.and (local.get $n) (i32.const 3)) (i32.const 2))))
    (block $done (loop $one
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (v128.store32_lane 0 (local.get $p) (call $tanh4 (v128.load32_zero (local.get $p))))
      (local.set $p (i32.add (local.get $p) (i32.const 4)))
      (br $one))))
)
