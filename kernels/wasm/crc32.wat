;; CRC-32 (IEEE 802.3, the polynomial and bit order of zlib's crc32) for the embedded vector
;; store's checksums (src/vectors/checksum.ts): its index pages at open and its vector rows on
;; first touch. Same results, bit for bit, as the JS loop of src/vectors/hash.ts (its reference
;; and fallback), which runs cold in the interpreter at Lambda INIT (~3-10 ms for a 214 KB
;; index); Liftoff's code for this loop is fast from its first call. node:zlib's crc32 would be
;; faster still, but importing node:zlib costs a fresh process several milliseconds. Plain wasm.
;;
;; Memory (one 64 KiB page):
;;   [0, 8192)       eight 256-entry u32 tables, T0..T7, "slicing by 8": T0 is the byte-wise
;;                   table, Ts[n] = (Ts-1[n] >> 8) ^ T0[Ts-1[n] & 0xff]; filled by $init
;;   [8192, 65536)   input: JS copies up to 57,344 bytes there per call
;;
;; crc32(ptr, len, prev): CRC-32 of bytes [ptr, ptr + len) continuing from `prev` (0 to start),
;; i.e. crc32(b, crc32(a)) == crc32(a ++ b). `ptr` must be a multiple of 4.
(module
  (memory (export "memory") 1)
  (global (export "input") i32 (i32.const 8192))
  (global (export "inputBytes") i32 (i32.const 57344))

  (func $init
    (local $n i32) (local $k i32) (local $c i32) (local $s i32)
    ;; T0: the byte-wise table
    (block $t0done (loop $t0
      (br_if $t0done (i32.ge_u (local.get $n) (i32.const 256)))
      (local.set $c (local.get $n))
      (local.set $k (i32.const 0))
      (block $bitsdone (loop $bits
        (br_if $bitsdone (i32.ge_u (local.get $k) (i32.const 8)))
        (local.set $c
          (if (result i32) (i32.and (local.get $c) (i32.const 1))
            (then (i32.xor (i32.const 0xedb88320) (i32.shr_u (local.get $c) (i32.const 1))))
            (else (i32.shr_u (local.get $c) (i32.const 1)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $bits)))
      (i32.store (i32.shl (local.get $n) (i32.const 2)) (local.get $c))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $t0)))
    ;; T1..T7, entry by entry: Ts[n] at byte 4 * (256 s + n)
    (local.set $s (i32.const 256))
    (block $tsdone (loop $ts
      (br_if $tsdone (i32.ge_u (local.get $s) (i32.const 2048)))
      (local.set $c (i32.load (i32.shl (i32.sub (local.get $s) (i32.const 256)) (i32.const 2))))
      (i32.store (i32.shl (local.get $s) (i32.const 2))
        (i32.xor (i32.shr_u (local.get $c) (i32.const 8))
                 (i32.load (i32.shl (i32.and (local.get $c) (i32.const 0xff)) (i32.const 2)))))
      (local.set $s (i32.add (local.get $s) (i32.const 1)))
      (br $ts))))
  (start $init)

  (func (export "crc32") (param $ptr i32) (param $len i32) (param $prev i32) (result i32)
    (local $c i32) (local $a i32) (local $b i32) (local $end8 i32) (local $end i32)
    (local.set $c (i32.xor (local.get $prev) (i32.const -1)))
    (local.set $end (i32.add (local.get $ptr) (local.get $len)))
    (local.set $end8 (i32.add (local.get $ptr) (i32.and (local.get $len) (i32.const -8))))
    ;; 8 bytes a step: two little-endian words, eight table lookups
    (block $done8 (loop $step8
      (br_if $done8 (i32.ge_u (local.get $ptr) (local.get $end8)))
      (local.set $a (i32.xor (i32.load (local.get $ptr)) (local.get $c)))
      (local.set $b (i32.load offset=4 (local.get $ptr)))
      (local.set $c
        (i32.xor
          (i32.xor
            (i32.xor (i32.load offset=7168 (i32.shl (i32.and (local.get $a) (i32.const 0xff)) (i32.const 2)))
                     (i32.load offset=6144 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 8)) (i32.const 0xff)) (i32.const 2))))
            (i32.xor (i32.load offset=5120 (i32.shl (i32.and (i32.shr_u (local.get $a) (i32.const 16)) (i32.const 0xff)) (i32.const 2)))
                     (i32.load offset=4096 (i32.shl (i32.shr_u (local.get $a) (i32.const 24)) (i32.const 2)))))
          (i32.xor
            (i32.xor (i32.load offset=3072 (i32.shl (i32.and (local.get $b) (i32.const 0xff)) (i32.const 2)))
                     (i32.load offset=2048 (i32.shl (i32.and (i32.shr_u (local.get $b) (i32.const 8)) (i32.const 0xff)) (i32.const 2))))
            (i32.xor (i32.load offset=1024 (i32.shl (i32.and (i32.shr_u (local.get $b) (i32.const 16)) (i32.const 0xff)) (i32.const 2)))
                     (i32.load (i32.shl (i32.shr_u (local.get $b) (i32.const 24)) (i32.const 2)))))))
      (local.set $ptr (i32.add (local.get $ptr) (i32.const 8)))
      (br $step8)))
    ;; the last 0..7 bytes, one at a time
    (block $done (loop $step
      (br_if $done (i32.ge_u (local.get $ptr) (local.get $end)))
      (local.set $c
        (i32.xor (i32.load (i32.shl (i32.and (i32.xor (local.get $c) (i32.load8_u (local.get $ptr))) (i32.const 0xff)) (i32.const 2)))
                 (i32.shr_u (local.get $c) (i32.const 8))))
      (local.set $ptr (i32.add (local.get $ptr) (i32.const 1)))
      (br $step)))
    (i32.xor (local.get $c) (i32.const -1)))
)
