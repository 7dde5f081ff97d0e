// The input check's "all finite?" pass (four floats per trip over the high 16-bit halves, then
// a tail): NaN, +Infinity and -Infinity are caught at every position of inputs of every length
// around the unrolled loop's edges, in subarrays at any offset, and finite extremes pass.
import { describe, expect, it } from 'vitest';
import { checkInput, inputFromJson } from '../../src/model/input.js';
import type { KimSpec } from '../../src/model/kim/architecture.js';

const spec = (dim: number): KimSpec => ({ kind: 'kim', channels: 1, dim, filters: 1, kernelSizes: [1, 1, 1], classes: 2, labels: ['a', 'b'] });

describe('checkInput: finite values', () => {
  it('finds a NaN or an infinity wherever it is, for every length from 1 to 19', () => {
    for (let n = 1; n < 20; n++) {
      for (let at = 0; at < n; at++) {
        for (const bad of [Number.NaN, Infinity, -Infinity]) {
          const backing = new Float32Array(n + 3).fill(0.5);
          const data = backing.subarray(1, 1 + n); // not at the start of its buffer
          data[at] = bad;
          expect(() => checkInput(spec(n), { x: { data, tokens: 1 } }), `n ${n} at ${at} ${bad}`).toThrow(`column ${at} is not a finite number`);
        }
      }
    }
  });

  it('passes finite extremes: ±max float, ±0, subnormals', () => {
    const data = Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38, 0, -0, 1e-45, -1e-45, 1, -1, 65504);
    expect(() => checkInput(spec(data.length), { x: { data, tokens: 1 } })).not.toThrow();
  });
});

describe('inputFromJson: numbers that are not finite (issue 16: 1e999 read "null is not a finite number")', () => {
  it('names the value the JSON number became, and where', () => {
    const json = JSON.parse('{"x": [[0.5, 1e999, 0.25]]}') as unknown;
    expect(() => inputFromJson(spec(3), json)).toThrow('input.x[0][1]: Infinity is not a finite number (JSON numbers beyond ±1.8e308 parse as infinity)');
    expect(() => inputFromJson(spec(3), JSON.parse('{"x": [[0.5, -1e999, 0.25]]}'))).toThrow('-Infinity is not a finite number');
    expect(() => inputFromJson(spec(3), JSON.parse('{"x": [[0.5, null, 0.25]]}'))).toThrow('input.x[0][1]: null is not a finite number');
    // finite in JSON, infinite in float32: caught by the float32 check, with its position
    expect(() => inputFromJson(spec(3), JSON.parse('{"x": [[0.5, 1e39, 0.25]]}'))).toThrow('value Infinity at row 0, column 1 is not a finite number');
  });
});
