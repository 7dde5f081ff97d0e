/**
 * The non-finite weight pass run at load: one scan of every tensor, refusing a NaN or an
 * infinity with the tensor's name and the element's index. A single NaN weight makes some
 * logits NaN for every input, which would otherwise reach clients as `null`.
 *
 * The scans use TypedArray.prototype.includes / indexOf, which V8 runs as native loops: at
 * Lambda INIT this code is cold, and an interpreted JS loop over the Kim weights' 354k floats
 * costs several times as much.
 */
import { WeightFileError } from '../errors.js';
import type { SafetensorsFile } from '../safetensors/read.js';

/**
 * Index of the first NaN or ±Infinity in `data`, or -1.
 * @param data (n) values
 */
export function firstNonFinite(data: Float32Array): number {
  if (!data.includes(NaN) && !data.includes(Infinity) && !data.includes(-Infinity)) return -1;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return i; // only on a bad file
  return -1;
}

/**
 * Throws WeightFileError 'WEIGHTS_NOT_FINITE' naming the first tensor that holds a NaN or an
 * infinity, and where.
 * @param weights a parsed weight file
 */
export function assertFiniteWeights(weights: SafetensorsFile): void {
  for (const [name, tensor] of weights.tensors) {
    const at = firstNonFinite(tensor.data);
    if (at < 0) continue;
    throw new WeightFileError(
      weights.file,
      `element ${at} ${position(at, tensor.shape)} is ${tensor.data[at]}; a model with a NaN or infinite weight has no meaningful answers ` +
        '(the file is corrupt, or training diverged): export the weights again from a good checkpoint',
      name,
      'WEIGHTS_NOT_FINITE',
    );
  }
}

/** The multi-index of flat element `at` in a row-major tensor of `shape`, e.g. "[3, 0, 1, 17]". */
function position(at: number, shape: readonly number[]): string {
  const index = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    index[d] = at % shape[d];
    at = Math.floor(at / shape[d]);
  }
  return `[${index.join(', ')}]`;
}
