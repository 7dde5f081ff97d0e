/**
 * The machine's WebAssembly SIMD peak, measured in the same run as the kernels
 * it is compared with: register-only f32x4 multiply-add loops, assembled here
 * from WebAssembly text with the `wabt` package of the root install.
 *
 * Loop shape: CHAINS independent accumulators, each step doing the GEMM
 * micro-kernel's inner operation  acc[i] += a[p] * b[q]  with a distinct
 * (a, b) pair for every multiply-add of an iteration. The A + B operands are
 * loop-carried and rotated through locals at the end of each iteration (register
 * moves, which the CPU eliminates at rename), so V8 can neither hoist a product
 * out of the loop nor merge two of them. The pitfalls this avoids, seen in V8's
 * generated code on Node 20:
 *   - loop-invariant operands: V8 hoists or merges a * b and the loop measures
 *     additions only;
 *   - constant operands (f32x4.splat of a constant): V8 re-materialises the
 *     splat at every use, an extra shuffle-port uop per multiply.
 * CHAINS + A + B + 1 <= 16 v128 values live, the XMM registers V8 has on x86_64.
 *
 * Loops measured:
 *   simd128     f32x4.mul + f32x4.add, 6 chains
 *   relaxed     f32x4.relaxed_madd, 6 chains (FMA latency 4 x 2 pipes wants 8 in flight,
 *   relaxed-8   so also 8 chains)
 * The peak of the machine is the best of them: both forms top out at the same
 * 16 FLOP/cycle on a core with two 128-bit FMA (or two mul + two add) pipes.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** The loops: name, accumulator chains, a and b operand counts, chain steps per iteration. */
export const PEAK_LOOPS = [
  { name: 'simd128', relaxed: false, chains: 6, a: 3, b: 4, steps: 2 },
  { name: 'relaxed', relaxed: true, chains: 6, a: 3, b: 4, steps: 2 },
  { name: 'relaxed-8', relaxed: true, chains: 8, a: 2, b: 4, steps: 1 },
];

/**
 * WebAssembly text of `(func (export "peak") (param $iters i32) (param $seed f32) (result f32))`.
 * @param {{ relaxed: boolean, chains: number, a: number, b: number, steps: number }} loop
 */
export function peakWat({ relaxed, chains, a, b, steps }) {
  if (a * b < chains * steps) throw new Error('peak loop: fewer (a, b) pairs than multiply-adds per iteration');
  const locals = [],
    init = [],
    body = [];
  for (let i = 0; i < chains; i++) {
    locals.push(`(local $acc${i} v128)`);
    init.push(`(local.set $acc${i} (f32x4.splat (f32.const 0)))`);
  }
  // Operands from the parameter, not constants (see above).
  for (let j = 0; j < a; j++) {
    locals.push(`(local $a${j} v128)`);
    init.push(`(local.set $a${j} (f32x4.splat (f32.add (local.get $seed) (f32.const ${j / 64}))))`);
  }
  for (let j = 0; j < b; j++) {
    locals.push(`(local $b${j} v128)`);
    init.push(`(local.set $b${j} (f32x4.splat (f32.sub (local.get $seed) (f32.const ${j / 128}))))`);
  }
  for (let s = 0; s < steps; s++) {
    for (let i = 0; i < chains; i++) {
      const p = s * chains + i; // pair number -> (a[p % a], b[p / a]): all distinct
      const [x, y, acc] = [`(local.get $a${p % a})`, `(local.get $b${Math.floor(p / a)})`, `(local.get $acc${i})`];
      body.push(`(local.set $acc${i} ${relaxed ? `(f32x4.relaxed_madd ${x} ${y} ${acc})` : `(f32x4.add ${acc} (f32x4.mul ${x} ${y}))`})`);
    }
  }
  const rotate = (name, n) => {
    body.push(`(local.set $t (local.get $${name}0))`);
    for (let j = 0; j < n - 1; j++) body.push(`(local.set $${name}${j} (local.get $${name}${j + 1}))`);
    body.push(`(local.set $${name}${n - 1} (local.get $t))`);
  };
  rotate('a', a);
  rotate('b', b);
  let sum = '(local.get $acc0)';
  for (let i = 1; i < chains; i++) sum = `(f32x4.add ${sum} (local.get $acc${i}))`;
  return `(module
  (func (export "peak") (param $iters i32) (param $seed f32) (result f32)
    (local $t v128) ${locals.join(' ')}
    ${init.join('\n    ')}
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $iters)))
      ${body.join('\n      ')}
      (local.set $iters (i32.sub (local.get $iters) (i32.const 1)))
      (br $next)))
    (f32x4.extract_lane 0 ${sum})))`;
}

/**
 * Compiles one loop; undefined when this runtime lacks the feature (relaxed SIMD
 * on Node 20 needs --experimental-wasm-relaxed-simd before compiling).
 * @returns {Promise<{ name: string, flopsPerIteration: number, run: (iters: number, seed: number) => number } | undefined>}
 */
export async function compilePeak(loop) {
  const wabt = await require('wabt')();
  const parsed = wabt.parseWat('peak.wat', peakWat(loop), { simd: true, relaxed_simd: loop.relaxed });
  const { buffer } = parsed.toBinary({});
  parsed.destroy();
  if (!WebAssembly.validate(buffer)) return undefined;
  const { instance } = await WebAssembly.instantiate(buffer);
  return { name: loop.name, flopsPerIteration: loop.chains * loop.steps * 8, run: /** @type {any} */ (instance.exports.peak) };
}

/**
 * GFLOP/s of one loop: the best of repeated ~20 ms calls over about `ms`
 * milliseconds (after sizing the call, which warms it up) — a peak is a best case.
 */
export function measurePeak(peak, ms = 300) {
  let iters = 1000;
  for (;;) {
    const t0 = performance.now();
    peak.run(iters, 1);
    const dt = performance.now() - t0;
    if (dt > 20) break;
    iters *= dt < 2 ? 8 : 2;
  }
  let best = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const t0 = performance.now();
    peak.run(iters, 1);
    best = Math.max(best, (iters * peak.flopsPerIteration) / ((performance.now() - t0) * 1e6));
  }
  return best;
}

// `node bench/simd-peak.mjs`: print every loop's GFLOP/s.
if (import.meta.url === `file://${process.argv[1]}`) {
  (await import('node:v8')).setFlagsFromString('--experimental-wasm-relaxed-simd');
  for (const loop of PEAK_LOOPS) {
    const peak = await compilePeak(loop);
    console.log(`${loop.name.padEnd(10)} ${loop.chains} chains: ${peak ? `${measurePeak(peak).toFixed(1)} GFLOP/s` : 'unsupported'}`);
  }
}
