/** Argument checks shared by every backend's packing step (a wrong length here is a loader bug). */
import { BackendError } from '../errors.js';
import type { ConvShape } from './backend.js';

export function checkConvPacking(backend: string, weight: Float32Array, bias: Float32Array, shape: ConvShape): void {
  const { filters, channels, k, dim } = shape;
  if (weight.length !== filters * channels * k * dim || bias.length !== filters) {
    throw new BackendError(backend, `conv weight/bias lengths ${weight.length}/${bias.length} do not match shape (${filters}, ${channels}, ${k}, ${dim})`);
  }
}

export function checkDensePacking(backend: string, weight: Float32Array, bias: Float32Array, outFeatures: number, inFeatures: number): void {
  if (weight.length !== outFeatures * inFeatures || bias.length !== outFeatures) {
    throw new BackendError(backend, `dense weight/bias lengths ${weight.length}/${bias.length} do not match shape (${outFeatures}, ${inFeatures})`);
  }
}
