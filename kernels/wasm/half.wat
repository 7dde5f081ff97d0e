;; binary16 -> float32 for the embedded vector store (src/vectors/half.ts), the decode of
;; every f16 word vector a request looks up. Same results, bit for bit, as the JS loop
;; there (its reference and fallback), which a fresh process runs in the interpreter at
;; ~80 ns a value and then hands to TurboFan (a 20-token Kim request decodes 6,000 values:
;; ~0.5 ms plus a ~0.4 ms optimisation hiccup); Liftoff's code for this loop is fast from
;; its first call. Plain wasm, no SIMD: it runs wherever WebAssembly does.
;;
;; decode(src, dst, n): n values, u16 at src -> f32 at dst (byte offsets into `memory`,
;; which JS fills and reads around each call). Returns 1 when all n are finite, 0 when
;; one is NaN or infinite (all n are still written).
;;   exponent 1..30  sign | ((h & 0x7fff) << 13) + (112 << 23)   (rebias 15 -> 127)
;;   exponent 0      sign | bits of mantissa * 2^-24             (zero and subnormals, exact)
;;   exponent 31     sign | 0x7f800000 | mantissa << 13          (infinity, NaN with its payload)
(module
  (memory (export "memory") 1)
  (func (export "decode") (param $src i32) (param $dst i32) (param $n i32) (result i32)
    (local $end i32) (local $h i32) (local $exp i32) (local $bits i32) (local $finite i32)
    (local.set $finite (i32.const 1))
    (local.set $end (i32.add (local.get $src) (i32.shl (local.get $n) (i32.const 1))))
    (block $done (loop $value
      (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
      (local.set $h (i32.load16_u (local.get $src)))
      (local.set $exp (i32.and (local.get $h) (i32.const 0x7c00)))
      (local.set $bits (i32.add (i32.shl (i32.and (local.get $h) (i32.const 0x7fff)) (i32.const 13)) (i32.const 0x38000000)))
      (if (i32.eqz (local.get $exp))
        (then (local.set $bits (i32.reinterpret_f32 (f32.mul
          (f32.convert_i32_u (i32.and (local.get $h) (i32.const 0x3ff))) (f32.const 0x1p-24))))))
      (if (i32.eq (local.get $exp) (i32.const 0x7c00))
        (then
          (local.set $bits (i32.or (i32.const 0x7f800000) (i32.shl (i32.and (local.get $h) (i32.const 0x3ff)) (i32.const 13))))
          (local.set $finite (i32.const 0))))
      (i32.store (local.get $dst) (i32.or (local.get $bits) (i32.shl (i32.and (local.get $h) (i32.const 0x8000)) (i32.const 16))))
      (local.set $src (i32.add (local.get $src) (i32.const 2)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $value)))
    (local.get $finite))
)
