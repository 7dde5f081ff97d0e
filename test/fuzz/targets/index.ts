/** The fuzz targets by name (the worker runs one of them). */
import type { FuzzTarget } from '../target.js';
import { tokenizerTarget } from './tokenizer.js';

export const TARGETS: Record<string, FuzzTarget<any, any>> = {
  tokenizer: tokenizerTarget,
};
