// The activation enumeration (kernels/activation.ts) and the assumption stated there: every
// member is monotone non-decreasing, so max over time commutes with it. Both checks iterate
// over the enumeration itself, so a non-monotone addition (GELU, SiLU, ...) fails here.
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: before anything compiles the relaxed flavour

import { describe, expect, it } from 'vitest';
import { ACTIVATION_CODES, ACTIVATIONS, activate, type Activation, type PoolActivation } from '../../kernels/activation.js';
import { activate as activateAll, conv1dWide, maxOverTime } from '../../kernels/js/reference.js';
import type { ConvShape } from '../../kernels/shapes.js';
import type { Backend } from '../../src/backend/backend.js';
import { createJsBackend } from '../../src/backend/js.js';
import { detectWasmFeatures } from '../../src/backend/select.js';
import { createWasmBackend } from '../../src/backend/wasm.js';
import { randomFloats } from '../helpers/random.js';

/** Increasing float32 values: ±0, subnormals, a dense grid over [-12, 12], powers of two up to 2^100. */
function increasingGrid(): Float64Array {
  const values: number[] = [0, -0, 1e-45, -1e-45, 1e-38, -1e-38];
  for (let i = -12000; i <= 12000; i++) values.push(Math.fround(i / 1000));
  for (let e = -40; e <= 100; e++) values.push(2 ** e, -(2 ** e));
  for (const v of randomFloats(20000, 30)) values.push(v);
  return Float64Array.from(values).sort();
}

/** The first x_i <= x_{i+1} with f(x_i) > f(x_{i+1}), or undefined when f is monotone non-decreasing on the grid. */
function firstDecrease(f: (v: number) => number, grid: Float64Array): { x: number; y: number } | undefined {
  for (let i = 0; i + 1 < grid.length; i++) {
    // through float32, as the kernels store it
    if (Math.fround(f(grid[i])) > Math.fround(f(grid[i + 1]))) return { x: grid[i], y: grid[i + 1] };
  }
  return undefined;
}

const POOLING = ACTIVATIONS.filter((a): a is PoolActivation => a !== 'none');

describe('the activation enumeration', () => {
  const grid = increasingGrid();

  it.each([...ACTIVATIONS])('%s is monotone non-decreasing (max over time commutes with it)', (act: Activation) => {
    expect(firstDecrease((v) => activate(v, act), grid)).toBeUndefined();
  });

  it('the check catches a non-monotone activation (GELU dips below zero near -0.75)', () => {
    const gelu = (v: number) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    expect(firstDecrease(gelu, grid)).toBeDefined();
  });

  it('each activation has its own wasm code, 0 for the identity', () => {
    const codes = ACTIVATIONS.map((a) => ACTIVATION_CODES[a]);
    expect(new Set(codes).size).toBe(codes.length);
    expect(ACTIVATION_CODES.none).toBe(0);
  });
});

/** Every backend this runtime can run: the TypeScript kernels and the wasm flavours. */
function backends(): Backend[] {
  const { simd, relaxed } = detectWasmFeatures();
  const list: Backend[] = [createJsBackend()];
  if (simd) list.push(createWasmBackend({ flavour: 'wasm-simd' }));
  if (relaxed) list.push(createWasmBackend({ flavour: 'wasm-relaxed' }));
  return list;
}

describe('fused conv + activation + max over time equals activation, then max', () => {
  // Pre-activations straddle zero and reach tanh's flat tails, where a wrong order would show.
  const shape: ConvShape = { filters: 10, channels: 1, k: 3, dim: 8 };
  const tokens = 9;
  const weight = randomFloats(shape.filters * shape.k * shape.dim, 1.5);
  const bias = randomFloats(shape.filters, 2);
  const x = randomFloats(tokens * shape.dim, 1);

  for (const backend of backends()) {
    it.each(POOLING)(`${backend.flavour}, %s`, (act) => {
      const steps = tokens + shape.k - 1;
      const y = new Float32Array(shape.filters * steps); // (filters, steps)
      conv1dWide(y, x, tokens, weight, bias, shape);
      activateAll(y, y.length, act);
      const expected = new Float32Array(shape.filters); // (filters)
      maxOverTime(expected, 0, y, shape.filters, steps);

      const features = new Float32Array(shape.filters); // (1, filters)
      backend.convMaxPool(features, shape.filters, 0, [backend.packConv(weight, bias, shape)], [{ data: x, tokens }], act);
      for (let f = 0; f < shape.filters; f++) expect(features[f]).toBeCloseTo(expected[f], 5);
    });
  }
});
