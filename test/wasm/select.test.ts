// Backend selection: feature detection, the TINYCNN_BACKEND override, explicit
// choices, fallbacks with their one-line notices (a runtime without SIMD is played
// by an injected `validate`), a caller-supplied precompiled module, and the
// convolution algorithm (options.conv, TINYCNN_CONV).
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd');

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import wabtInit from 'wabt';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Backend } from '../../src/backend/backend.js';
import { createBackend, DEFAULT_CONV, detectWasmFeatures, type BackendOptions } from '../../src/backend/select.js';
import { kernelModule, probeBytes } from '../../src/backend/wasm-module.js';
import { BackendError } from '../../src/errors.js';

const probes = { simd: probeBytes('simd'), relaxed: probeBytes('relaxed') };
const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);
/** A validate() for a runtime with the given features; anything but the two probes is refused, so the probes must be what is asked. */
const runtime = (simd: boolean, relaxed: boolean) => (bytes: Uint8Array) => (same(bytes, probes.relaxed) ? relaxed : same(bytes, probes.simd) ? simd : false);

/** Creates a backend and returns it with the notices it logged. */
function select(options: BackendOptions): { backend: Backend; notices: string[] } {
  const notices: string[] = [];
  const backend = createBackend({ log: (line) => notices.push(line), ...options });
  return { backend, notices };
}

/** One tiny conv through the backend: proves it runs, not just that it was named. */
function convWorks(backend: Backend): number {
  const conv = backend.packConv(Float32Array.of(1, 2, 3), Float32Array.of(0.5), { filters: 1, channels: 1, k: 3, dim: 1 });
  const out = new Float32Array(1);
  backend.convMaxPool(out, 1, 0, [conv], [{ tokens: 2, data: Float32Array.of(1, -1) }], 'relu');
  return out[0]; // windows over [0 0 1 -1 0 0]: 3, 2-3 = -1, 1-2 = -1, -1 -> max 3, + 0.5 (Winograd: within its rounding)
}

const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const name of ['TINYCNN_BACKEND', 'TINYCNN_CONV']) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('feature detection', () => {
  it('this Node has SIMD128, and relaxed SIMD once the flag is set', () => {
    expect(detectWasmFeatures()).toEqual({ simd: true, relaxed: true });
  });

  it('the probes are real: a runtime that refuses them is reported as such', () => {
    expect(detectWasmFeatures(runtime(true, false))).toEqual({ simd: true, relaxed: false });
    expect(detectWasmFeatures(runtime(false, false))).toEqual({ simd: false, relaxed: false });
    expect(
      detectWasmFeatures(() => {
        throw new Error('no WebAssembly');
      }),
    ).toEqual({ simd: false, relaxed: false });
  });
});

describe('auto', () => {
  it('picks wasm-relaxed when relaxed SIMD validates, silently', () => {
    const { backend, notices } = select({ validate: runtime(true, true) });
    expect(backend.flavour).toBe('wasm-relaxed');
    expect(notices).toEqual([]);
    expect(convWorks(backend)).toBeCloseTo(3.5, 5);
  });

  it('picks wasm-simd without relaxed SIMD (Node 20 by default), silently', () => {
    const { backend, notices } = select({ validate: runtime(true, false) });
    expect(backend.flavour).toBe('wasm-simd');
    expect(notices).toEqual([]);
  });

  it('falls back to js without SIMD, with a one-line notice', () => {
    const { backend, notices } = select({ validate: runtime(false, false) });
    expect(backend.flavour).toBe('js');
    expect(notices).toHaveLength(1);
    expect(notices[0]).not.toContain('\n');
    expect(notices[0]).toMatch(/SIMD is unavailable.*js/);
    expect(convWorks(backend)).toBeCloseTo(3.5, 5);
  });

  it('writes the notice to console.error when no log is given', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(createBackend({ validate: runtime(false, false) }).flavour).toBe('js');
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('explicit choices and their fallbacks', () => {
  it('js is js, whatever the runtime has', () => {
    expect(select({ backend: 'js', validate: runtime(true, true) }).backend.flavour).toBe('js');
  });

  it('wasm-simd even where relaxed SIMD exists', () => {
    expect(select({ backend: 'wasm-simd', validate: runtime(true, true) }).backend.flavour).toBe('wasm-simd');
  });

  it('wasm-relaxed without relaxed SIMD -> notice + wasm-simd', () => {
    const { backend, notices } = select({ backend: 'wasm-relaxed', validate: runtime(true, false) });
    expect(backend.flavour).toBe('wasm-simd');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/wasm-relaxed requested.*wasm-simd/);
  });

  it('wasm-relaxed or wasm-simd without SIMD at all -> notice + js', () => {
    for (const choice of ['wasm-relaxed', 'wasm-simd'] as const) {
      const { backend, notices } = select({ backend: choice, validate: runtime(false, false) });
      expect(backend.flavour).toBe('js');
      expect(notices).toHaveLength(1);
      expect(notices[0]).toContain(`${choice} requested`);
    }
  });

  it('an unknown backend name is a typed error listing the valid ones', () => {
    const attempt = () => createBackend({ backend: 'wasm-fast' as never });
    expect(attempt).toThrow(BackendError);
    expect(attempt).toThrow(/valid values: auto, js, wasm-simd, wasm-relaxed/);
  });
});

describe('TINYCNN_BACKEND', () => {
  it('overrides detection when the option is auto or unset', () => {
    process.env.TINYCNN_BACKEND = 'js';
    expect(select({ validate: runtime(true, true) }).backend.flavour).toBe('js');
    process.env.TINYCNN_BACKEND = 'wasm-simd';
    expect(select({ backend: 'auto', validate: runtime(true, true) }).backend.flavour).toBe('wasm-simd');
  });

  it('is itself subject to the fallbacks', () => {
    process.env.TINYCNN_BACKEND = 'wasm-relaxed';
    const { backend, notices } = select({ validate: runtime(true, false) });
    expect(backend.flavour).toBe('wasm-simd');
    expect(notices).toHaveLength(1);
  });

  it('loses to an explicit option', () => {
    process.env.TINYCNN_BACKEND = 'js';
    expect(select({ backend: 'wasm-relaxed', validate: runtime(true, true) }).backend.flavour).toBe('wasm-relaxed');
  });

  it('an unknown value is a typed error naming the variable and the valid values', () => {
    process.env.TINYCNN_BACKEND = 'gpu';
    try {
      createBackend({ log: () => {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BackendError);
      expect((error as BackendError).code).toBe('BACKEND_UNKNOWN');
      expect((error as Error).message).toMatch(/TINYCNN_BACKEND = "gpu".*auto, js, wasm-simd, wasm-relaxed/);
    }
  });
});

describe('the convolution algorithm', () => {
  it('is DEFAULT_CONV (winograd) unless asked, on every backend, and runs', () => {
    expect(DEFAULT_CONV).toBe('winograd');
    for (const backend of ['js', 'wasm-simd', 'wasm-relaxed'] as const) {
      const chosen = select({ backend, validate: runtime(true, true) }).backend;
      expect(chosen.conv).toBe('winograd');
      expect(convWorks(chosen)).toBeCloseTo(3.5, 5);
    }
  });

  it('options.conv, then TINYCNN_CONV, then the default', () => {
    process.env.TINYCNN_CONV = 'direct';
    expect(select({ backend: 'wasm-simd' }).backend.conv).toBe('direct');
    expect(select({ backend: 'js' }).backend.conv).toBe('direct');
    expect(convWorks(select({ backend: 'wasm-simd' }).backend)).toBe(3.5); // direct: exact on small integers
    expect(select({ backend: 'wasm-simd', conv: 'winograd' }).backend.conv).toBe('winograd');
    process.env.TINYCNN_CONV = 'auto';
    expect(select({ backend: 'js' }).backend.conv).toBe('winograd');
    expect(select({ backend: 'js', conv: 'direct' }).backend.conv).toBe('direct');
  });

  it('an unknown value is a typed error naming where it came from and the valid values', () => {
    process.env.TINYCNN_CONV = 'fft';
    expect(() => createBackend({ log: () => {} })).toThrow(expect.objectContaining({ code: 'CONV_UNKNOWN' }));
    expect(() => createBackend({ log: () => {} })).toThrow(/TINYCNN_CONV = "fft".*auto, direct, winograd/);
    delete process.env.TINYCNN_CONV;
    expect(() => createBackend({ conv: 'strassen' as never })).toThrow(/options.conv = "strassen"/);
  });
});

describe('a precompiled wasmModule', () => {
  it('is used instead of the embedded bytes, and labelled by its own flavour', () => {
    for (const flavour of ['wasm-simd', 'wasm-relaxed'] as const) {
      const { backend, notices } = select({ wasmModule: kernelModule(flavour) });
      expect(backend.flavour).toBe(flavour);
      expect(notices).toEqual([]);
      expect(convWorks(backend)).toBeCloseTo(3.5, 5);
    }
  });

  it('a request for another flavour gets a notice, and the module', () => {
    const { backend, notices } = select({ backend: 'wasm-relaxed', wasmModule: kernelModule('wasm-simd') });
    expect(backend.flavour).toBe('wasm-simd');
    expect(notices).toHaveLength(1);
  });

  it('a module from another build of the kernels is refused with ABI_MISMATCH', async () => {
    const wabt = await wabtInit();
    const parsed = wabt.parseWat(
      'old.wat',
      '(module (memory (export "memory") 1) (global (export "abi") i32 (i32.const 99)) (global (export "flavour") i32 (i32.const 0)))',
    );
    const module = new WebAssembly.Module(parsed.toBinary({}).buffer);
    parsed.destroy();
    expect(() => select({ wasmModule: module })).toThrow(expect.objectContaining({ code: 'ABI_MISMATCH' }));
  });
});

describe('in a fresh Node process, with its default flags', () => {
  const built = new URL('../../build/src/backend/select.js', import.meta.url);
  // the compiled package (npm test builds it first); skipped when vitest runs on an unbuilt tree
  it.runIf(existsSync(built))('auto picks what the runtime has, and wasm-relaxed falls back with a notice where relaxed SIMD is off', () => {
    const script = `import(${JSON.stringify(built.href)}).then(({ createBackend }) => {
      const notices = [];
      const auto = createBackend({ log: (l) => notices.push(l) }).flavour;
      const relaxed = createBackend({ backend: 'wasm-relaxed', log: (l) => notices.push(l) }).flavour;
      console.log(JSON.stringify({ auto, relaxed, notices }));
    })`;
    const env = { ...process.env };
    delete env.TINYCNN_BACKEND;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env })) as { auto: string; relaxed: string; notices: string[] };
    if (process.versions.node.startsWith('20.')) {
      expect(out).toEqual({ auto: 'wasm-simd', relaxed: 'wasm-simd', notices: [expect.stringMatching(/wasm-relaxed requested.*wasm-simd/)] });
    } else {
      expect(out).toEqual({ auto: 'wasm-relaxed', relaxed: 'wasm-relaxed', notices: [] }); // Node 22+: relaxed SIMD is on
    }
  });
});
