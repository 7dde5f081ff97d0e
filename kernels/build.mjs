#!/usr/bin/env node
/**
 * Build step for the WebAssembly kernels (`npm run build` runs it before tsc).
 *
 * One hand-written source, kernels/wasm/tinycnn.wat, is assembled with the npm
 * `wabt` package into two flavours:
 *   simd     plain SIMD128: every MADD(acc, x, y) becomes f32x4.mul + f32x4.add
 *   relaxed  relaxed SIMD:  every MADD(acc, x, y) becomes f32x4.relaxed_madd (an FMA where the CPU has one)
 * The plain flavour is assembled with the relaxed-simd feature OFF, so a relaxed
 * instruction cannot slip into it. Both binaries, the peak-FLOP probe module and
 * the two tiny feature-detection modules are written as base64 strings into
 * kernels/wasm/generated/modules.ts: the engine finds its wasm with no fetch, no
 * fs path and no import.meta.url, so it survives bundling into one Lambda file.
 *
 * The preprocessor is deliberately tiny (no general macro language):
 *   MADD($acc, $x, $y)            acc = x * y + acc on f32x4 locals, flavour-dependent (above)
 *   MADD($dst, $x, $y, $z)        dst = x * y + z
 *   ;;@repeat NAME FROM TO        repeat the lines up to the matching ;;@end for NAME = FROM..TO-1
 *                                 (FROM, TO: numbers or expressions in enclosing names, no spaces),
 *   ...${expr}...                 replacing ${expr} (a JS arithmetic expression in NAME) by its value
 *   ;;@end
 *   ;;@define NAME EXPR           a constant for the ${} expressions and repeat bounds that follow
 *   FLAVOUR                       0 (simd) or 1 (relaxed), for the exported `flavour` global
 *   ;;@include FILE               (tinycnn.wat only) the text of kernels/wasm/FILE, spliced in before
 *                                 the rest is expanded: a kernel family in its own file, one module
 *
 * kernels/wasm/half.wat (the f16 -> f32 decoder of the embedded vector store, plain wasm)
 * is assembled as is into kernels/wasm/generated/half.ts, apart from the kernels, so the
 * vector store does not carry them; kernels/wasm/crc32.wat (the store's CRC-32) likewise
 * into kernels/wasm/generated/crc32.ts.
 *
 * Usage: node kernels/build.mjs            (writes kernels/wasm/generated/, and the two kernel .wasm files to build/kernels/wasm/)
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(here, 'wasm');
const outDir = join(wasmDir, 'generated');

/**
 * The kernel source with its ;;@include lines replaced by the named files of kernels/wasm/,
 * and the names of those files in order (they are part of the source hash).
 */
export function readKernelSource(dir = wasmDir) {
  const included = [];
  const text = readFileSync(join(dir, 'tinycnn.wat'), 'utf8').replace(/^\s*;;@include\s+(\S+)\s*$/gm, (_, name) => {
    included.push(name);
    return readFileSync(join(dir, name), 'utf8').replace(/\n$/, '');
  });
  return { text, included };
}

/** Expands ;;@define, ;;@repeat blocks (nested allowed) and the MADD macro for one flavour. */
export function preprocess(source, flavour) {
  const lines = source.split('\n');
  const expandBlock = (block, scope) => {
    const out = [];
    for (let i = 0; i < block.length; i++) {
      const define = /^\s*;;@define\s+(\w+)\s+(\S+)\s*$/.exec(block[i]);
      if (define) {
        scope[define[1]] = evaluate(define[2], scope); // visible to the rest of this block
        out.push(block[i]);
        continue;
      }
      const open = /^\s*;;@repeat\s+(\w+)\s+(\S+)\s+(\S+)\s*$/.exec(block[i]);
      if (!open) {
        out.push(substitute(block[i], scope));
        continue;
      }
      let depth = 1;
      let j = i + 1;
      for (; j < block.length; j++) {
        if (/^\s*;;@repeat\b/.test(block[j])) depth++;
        else if (/^\s*;;@end\b/.test(block[j]) && --depth === 0) break;
      }
      if (j === block.length) throw new Error(`unterminated ;;@repeat at line: ${block[i].trim()}`);
      const [, name, from, to] = open;
      const [lo, hi] = [evaluate(from, scope), evaluate(to, scope)];
      for (let v = lo; v < hi; v++) out.push(...expandBlock(block.slice(i + 1, j), { ...scope, [name]: v }));
      i = j;
    }
    return out;
  };
  const evaluate = (expr, scope) => {
    const names = Object.keys(scope);
    return new Function(...names, `return (${expr});`)(...names.map((n) => scope[n]));
  };
  const substitute = (line, scope) =>
    line
      .replace(/\$\{([^}]+)\}/g, (_, expr) => String(evaluate(expr, scope)))
      .replace(/\bMADD\((\$\w+),\s*(\$\w+),\s*(\$\w+)(?:,\s*(\$\w+))?\)/g, (_, dst, x, y, z = dst) =>
        flavour === 'relaxed'
          ? `(local.set ${dst} (f32x4.relaxed_madd (local.get ${x}) (local.get ${y}) (local.get ${z})))`
          : `(local.set ${dst} (f32x4.add (local.get ${z}) (f32x4.mul (local.get ${x}) (local.get ${y}))))`,
      )
      .replace(/\bFLAVOUR\b/g, flavour === 'relaxed' ? '1' : '0');
  return expandBlock(lines, {}).join('\n');
}

/** Assembles WAT text to wasm bytes; relaxed SIMD is only legal when `relaxed` is set. */
function assemble(wabt, name, text, relaxed) {
  const features = { simd: true, relaxed_simd: relaxed, multi_value: true, bulk_memory: true, sign_extension: true };
  const module = wabt.parseWat(name, text, features);
  try {
    module.resolveNames();
    module.validate();
    return module.toBinary({ canonicalize_lebs: true }).buffer;
  } finally {
    module.destroy();
  }
}

// Feature probes for WebAssembly.validate: the smallest modules that use one
// SIMD128 instruction / one relaxed-SIMD instruction.
const PROBE_SIMD = '(module (func (result v128) (f32x4.splat (f32.const 1))))';
const PROBE_RELAXED = '(module (func (param v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 0) (local.get 0))))';

async function main() {
  const wabt = await wabtInit();
  const { text: source, included } = readKernelSource();
  const peakSource = readFileSync(join(wasmDir, 'peak.wat'), 'utf8');
  mkdirSync(outDir, { recursive: true });

  const out = {};
  for (const flavour of ['simd', 'relaxed']) {
    const text = preprocess(source, flavour);
    writeFileSync(join(outDir, `tinycnn.${flavour}.wat`), text); // the expanded text, for reading and debugging
    out[flavour] = assemble(wabt, `tinycnn.${flavour}.wat`, text, flavour === 'relaxed');
    const peak = preprocess(peakSource, flavour);
    out[`peak_${flavour}`] = assemble(wabt, `peak.${flavour}.wat`, peak, flavour === 'relaxed');
  }
  // the kernels as files too, for runtimes that import .wasm precompiled (Workers: package.json's
  // ./kernels/simd.wasm and ./kernels/relaxed.wasm); generated output, in build/ beside the compiled code
  const wasmOut = join(here, '..', 'build', 'kernels', 'wasm');
  mkdirSync(wasmOut, { recursive: true });
  for (const flavour of ['simd', 'relaxed']) writeFileSync(join(wasmOut, `tinycnn.${flavour}.wasm`), out[flavour]);
  const probeSimd = assemble(wabt, 'probe-simd.wat', PROBE_SIMD, false);
  const probeRelaxed = assemble(wabt, 'probe-relaxed.wat', PROBE_RELAXED, true);

  const b64 = (bytes) => Buffer.from(bytes).toString('base64');
  // the raw files, in order: tinycnn.wat, the files it includes, peak.wat
  const hash = createHash('sha256').update(readFileSync(join(wasmDir, 'tinycnn.wat'), 'utf8'));
  for (const name of included) hash.update(readFileSync(join(wasmDir, name), 'utf8'));
  const sourceHash = hash.update(peakSource).digest('hex');
  const ts = `// GENERATED by kernels/build.mjs from kernels/wasm/tinycnn.wat (+ ${included.join(', ')}) and peak.wat — do not edit.
// Wasm binaries as base64 so the engine needs no fetch, fs path or import.meta.url.

/** sha256 of the .wat sources these bytes were assembled from: tinycnn.wat, ${included.join(', ')}, peak.wat (a test checks it is current). */
export const KERNELS_SOURCE_SHA256 = '${sourceHash}';

/** The kernel module, plain SIMD128 flavour (${out.simd.length} bytes). */
export const KERNELS_SIMD_BASE64 = '${b64(out.simd)}';

/** The kernel module, relaxed-SIMD flavour (${out.relaxed.length} bytes). */
export const KERNELS_RELAXED_BASE64 = '${b64(out.relaxed)}';

/** Register-only f32x4 multiply-add loops that measure the SIMD peak, plain flavour. */
export const PEAK_SIMD_BASE64 = '${b64(out.peak_simd)}';

/** The same peak loops with f32x4.relaxed_madd. */
export const PEAK_RELAXED_BASE64 = '${b64(out.peak_relaxed)}';

/** Smallest module using a SIMD128 instruction: WebAssembly.validate(it) <=> SIMD128 available. */
export const PROBE_SIMD_BASE64 = '${b64(probeSimd)}';

/** Smallest module using f32x4.relaxed_madd: WebAssembly.validate(it) <=> relaxed SIMD available. */
export const PROBE_RELAXED_BASE64 = '${b64(probeRelaxed)}';
`;
  writeFileSync(join(outDir, 'modules.ts'), ts);

  const halfSource = readFileSync(join(wasmDir, 'half.wat'), 'utf8');
  const half = assemble(wabt, 'half.wat', halfSource, false);
  writeFileSync(
    join(outDir, 'half.ts'),
    `// GENERATED by kernels/build.mjs from kernels/wasm/half.wat — do not edit.

/** sha256 of kernels/wasm/half.wat (a test checks it is current). */
export const HALF_SOURCE_SHA256 = '${createHash('sha256').update(halfSource).digest('hex')}';

/** The f16 -> f32 decoder module (${half.length} bytes), used by src/vectors/half.ts. */
export const HALF_DECODER_BASE64 = '${b64(half)}';
`,
  );
  const crcSource = readFileSync(join(wasmDir, 'crc32.wat'), 'utf8');
  const crc = assemble(wabt, 'crc32.wat', crcSource, false);
  writeFileSync(
    join(outDir, 'crc32.ts'),
    `// GENERATED by kernels/build.mjs from kernels/wasm/crc32.wat — do not edit.

/** sha256 of kernels/wasm/crc32.wat (a test checks it is current). */
export const CRC32_SOURCE_SHA256 = '${createHash('sha256').update(crcSource).digest('hex')}';

/** The CRC-32 module (${crc.length} bytes), used by src/vectors/checksum.ts. */
export const CRC32_BASE64 = '${b64(crc)}';
`,
  );
  console.log(
    `kernels: tinycnn.simd.wasm ${out.simd.length} B, tinycnn.relaxed.wasm ${out.relaxed.length} B -> kernels/wasm/generated/modules.ts; ` +
      `half.wasm ${half.length} B -> half.ts; crc32.wasm ${crc.length} B -> crc32.ts`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(`kernels/build.mjs: ${error.message}`);
    process.exit(1);
  });
}
