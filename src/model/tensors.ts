/**
 * Shape checks shared by the architectures' spec readers: each names the file and
 * the tensor at fault, so a wrong weight file is refused with a message, never run.
 */
import { WeightFileError } from '../errors.js';
import type { SafetensorsFile, TensorView } from '../safetensors/read.js';

/** The data of a tensor known to exist: (its shape, row-major). */
export function tensorData(weights: SafetensorsFile, name: string): Float32Array {
  return (weights.tensors.get(name) as TensorView).data;
}

/** The tensor's shape, checked to have `rank` non-zero dimensions. */
export function expectRank(weights: SafetensorsFile, name: string, rank: number): readonly number[] {
  const { shape } = weights.tensors.get(name) as TensorView;
  if (shape.length !== rank || shape.some((d) => d < 1)) {
    throw new WeightFileError(weights.file, `shape [${shape}] should have ${rank} non-zero dimensions`, name);
  }
  return shape;
}

/** Throws unless the tensor's shape is exactly `expected`. */
export function expectShape(weights: SafetensorsFile, name: string, expected: readonly number[]): void {
  const { shape } = weights.tensors.get(name) as TensorView;
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new WeightFileError(weights.file, `shape [${shape}] should be [${expected}]`, name);
  }
}

/** Class names from `tinycnn.labels`, or "0".."C-1" when the file has none. */
export function readLabels(weights: SafetensorsFile, classes: number): string[] {
  const raw = weights.metadata['tinycnn.labels'];
  if (raw === undefined) return Array.from({ length: classes }, (_, i) => String(i));
  let labels: unknown;
  try {
    labels = JSON.parse(raw);
  } catch {
    throw new WeightFileError(weights.file, `metadata tinycnn.labels is not JSON: ${raw.slice(0, 80)}`);
  }
  if (!Array.isArray(labels) || labels.length !== classes || !labels.every((l) => typeof l === 'string')) {
    throw new WeightFileError(weights.file, `metadata tinycnn.labels should be a list of ${classes} strings, got ${raw.slice(0, 80)}`);
  }
  return labels;
}
