// The kernel build: the embedded wasm is current with the .wat sources, both
// flavours come from the one source (only the MADD expansion differs), and the
// plain flavour validates where relaxed SIMD does not (checked in a fresh Node
// process, whose relaxed-SIMD flag is at its default).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KERNELS_SOURCE_SHA256 } from '../../kernels/wasm/generated/modules.js';
import { kernelBytes, probeBytes } from '../../src/backend/wasm-module.js';

const wat = (name: string) => readFileSync(new URL(`../../kernels/wasm/${name}`, import.meta.url), 'utf8');

type Preprocess = (source: string, flavour: 'simd' | 'relaxed') => string;
const { preprocess, readKernelSource } = (await import(new URL('../../kernels/build.mjs', import.meta.url).href)) as {
  preprocess: Preprocess;
  readKernelSource: () => { text: string; included: string[] };
};

describe('kernel build', () => {
  it('the embedded modules were assembled from the current .wat sources (else: npm run build)', () => {
    // tinycnn.wat, the files it splices in with ;;@include (in order), peak.wat
    const included = [...wat('tinycnn.wat').matchAll(/^\s*;;@include\s+(\S+)\s*$/gm)].map((match) => match[1]);
    expect(included).toEqual(['winograd.wat', 'winograd-gemm.wat']);
    const hash = createHash('sha256').update(wat('tinycnn.wat'));
    for (const name of included) hash.update(wat(name));
    expect(KERNELS_SOURCE_SHA256, 'kernels/wasm/generated/modules.ts is stale: run `npm run build`').toBe(hash.update(wat('peak.wat')).digest('hex'));
  });

  it('the ;;@include lines splice their files into the kernel module', () => {
    const { text } = readKernelSource();
    expect(text).not.toMatch(/^\s*;;@include/m);
    expect(text).toContain(wat('winograd.wat').trimEnd());
    expect(text).toContain(wat('winograd-gemm.wat').trimEnd());
  });

  it('one source, two flavours: they differ only in how MADD is expanded', () => {
    const code = (text: string) => text.replace(/;;[^\n]*/g, ''); // without comments
    const source = readKernelSource().text;
    const simd = code(preprocess(source, 'simd'));
    const relaxed = code(preprocess(source, 'relaxed'));
    const madds = relaxed.match(/f32x4\.relaxed_madd/g)?.length ?? 0;
    expect(madds).toBeGreaterThanOrEqual(12); // conv tile (2 x MR) + dense (4 + 2)
    expect(simd).not.toMatch(/relaxed|MADD/);
    expect(relaxed).not.toMatch(/MADD/);
    expect(simd.match(/\(f32x4\.add \(local\.get \$\w+\) \(f32x4\.mul/g)).toHaveLength(madds);
    // with each MADD line and the flavour constant blanked out, the two texts are identical
    const normalise = (text: string) =>
      text.replace(/\(local\.set (\$\w+) \(f32x4\.[^\n]*/g, 'MADD $1').replace(/\(global \(export "flavour"\) i32 \(i32\.const \d\)\)/, '');
    expect(normalise(simd)).toBe(normalise(relaxed));
  });

  it('the ;;@repeat macro expands with its index, nested', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the macro's own ${...} syntax, not a template
    const text = ';;@repeat I 0 2\n;;@repeat J 0 I+1\nx ${10 * I + J}\n;;@end J\n;;@end I';
    expect(preprocess(text, 'simd').trim().split('\n')).toEqual(['x 0', 'x 10', 'x 11']);
  });

  it('the plain flavour needs only SIMD128: it validates in a fresh Node, and the relaxed probe agrees with the relaxed kernels', () => {
    const script = `
      const b = (s) => Buffer.from(s, 'base64');
      const [plain, relaxed, probe] = process.argv.slice(1).map(b);
      console.log(JSON.stringify({ plain: WebAssembly.validate(plain), relaxed: WebAssembly.validate(relaxed), probe: WebAssembly.validate(probe) }));`;
    const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
    const out = execFileSync(process.execPath, ['-e', script, b64(kernelBytes('wasm-simd')), b64(kernelBytes('wasm-relaxed')), b64(probeBytes('relaxed'))], {
      encoding: 'utf8',
    });
    const result = JSON.parse(out) as { plain: boolean; relaxed: boolean; probe: boolean };
    expect(result.plain).toBe(true);
    expect(result.probe).toBe(result.relaxed);
    if (process.versions.node.startsWith('20.')) expect(result.relaxed).toBe(false); // Node 20: behind a flag
  });
});
