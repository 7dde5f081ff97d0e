// The safetensors reader: zero-copy views where aligned, and a typed, actionable error for every broken file.
import { describe, expect, it } from 'vitest';
import { WeightFileError } from '../../src/errors.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { encodeTensors, rawSafetensors } from '../helpers/safetensors.js';

const a = { name: 'a', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) };
const b = { name: 'b', shape: [2], data: Float32Array.of(-1.5, 7) };

function expectWeightError(bytes: Uint8Array, message: RegExp, tensor?: string) {
  let caught: unknown;
  try {
    readSafetensors(bytes, 'bad.safetensors');
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(WeightFileError);
  const error = caught as WeightFileError;
  expect(error.message).toMatch(/^bad\.safetensors/);
  expect(error.message).toMatch(message);
  expect(error.tensor).toBe(tensor);
}

describe('readSafetensors', () => {
  it('reads tensors, shapes and metadata; aligned tensors are views over the file', () => {
    const bytes = encodeTensors([a, b], { 'tinycnn.architecture': 'KimCNN' });
    const file = readSafetensors(bytes, 'x');
    expect(file.metadata).toEqual({ 'tinycnn.architecture': 'KimCNN' });
    expect(Array.from(file.tensors.get('a')!.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(file.tensors.get('a')!.shape).toEqual([2, 3]);
    expect(Array.from(file.tensors.get('b')!.data)).toEqual([-1.5, 7]);
    expect(file.tensors.get('a')!.data.buffer).toBe(bytes.buffer); // zero-copy
  });

  it('copies a tensor that is not 4-byte aligned, with the same values', () => {
    const bytes = encodeTensors([a, b]);
    const shifted = new Uint8Array(bytes.length + 1).subarray(1);
    shifted.set(bytes);
    const file = readSafetensors(shifted, 'x');
    expect(file.tensors.get('a')!.data.buffer).not.toBe(shifted.buffer);
    expect(Array.from(file.tensors.get('b')!.data)).toEqual([-1.5, 7]);
  });

  it('refuses a file shorter than the length prefix', () => {
    expectWeightError(new Uint8Array(5), /5 bytes, too short/);
  });

  it('refuses a truncated file', () => {
    const bytes = encodeTensors([a, b]);
    expectWeightError(bytes.subarray(0, bytes.length - 4), /run past the end of the data .*truncated/, 'b');
  });

  it('refuses a header length past the end of the file', () => {
    expectWeightError(rawSafetensors({}, new Uint8Array(0), 1000), /header length 1000 runs past the end/);
  });

  it('refuses a header that is not a JSON object', () => {
    const bytes = rawSafetensors({}, new Uint8Array(0));
    bytes.set(new TextEncoder().encode('[1,2]   '), 8);
    expectWeightError(bytes, /not a JSON object/);
    bytes.set(new TextEncoder().encode('{"a":   '), 8);
    expectWeightError(bytes, /not valid UTF-8 JSON/);
  });

  it('refuses overlapping offsets', () => {
    const header = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expectWeightError(rawSafetensors(header, new Uint8Array(12)), /overlap/, 'b');
  });

  it('refuses a gap between tensors and undescribed trailing data', () => {
    const gap = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    expectWeightError(rawSafetensors(gap, new Uint8Array(12)), /leave a gap after byte 4/, 'b');
    // offsets that start beyond the data are reported as running past its end, not as a gap (issue 16)
    const beyond = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [4000, 4004] } };
    expectWeightError(rawSafetensors(beyond, new Uint8Array(8)), /data offsets \[4000, 4004\) run past the end of the data \(8 bytes\)/, 'b');
    const trailing = { a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } };
    expectWeightError(rawSafetensors(trailing, new Uint8Array(8)), /4 bytes of data after the last tensor/);
  });

  it('refuses a byte count that does not match the shape', () => {
    const header = { a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expectWeightError(rawSafetensors(header, new Uint8Array(8)), /hold 8 bytes but shape \[3\] needs 12/, 'a');
  });

  it('refuses dtypes it does not read, saying which it does', () => {
    for (const dtype of ['F16', 'BF16', 'F64', 'I64']) {
      const header = { a: { dtype, shape: [2], data_offsets: [0, 8] } };
      expectWeightError(rawSafetensors(header, new Uint8Array(8)), new RegExp(`dtype "${dtype}" is not supported .*F32`), 'a');
    }
  });

  it('refuses malformed entries and metadata', () => {
    expectWeightError(rawSafetensors({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 0] } }, new Uint8Array(0)), /not a list of sizes/, 'a');
    expectWeightError(rawSafetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4)), /not a \[begin, end\] pair/, 'a');
    expectWeightError(rawSafetensors({ __metadata__: { x: 1 } }, new Uint8Array(0)), /__metadata__\["x"\] is not a string/);
  });
});
