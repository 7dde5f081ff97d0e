/** The fuzz targets by name (the worker runs one of them). */
import type { FuzzTarget } from '../target.js';
import { eventsTarget } from './events.js';
import { httpTarget } from './http.js';
import { onnxTarget } from './onnx.js';
import { safetensorsTarget } from './safetensors.js';
import { tcvTarget } from './tcv.js';
import { tokenizerTarget } from './tokenizer.js';

export const TARGETS: Record<string, FuzzTarget<any, any>> = {
  events: eventsTarget,
  http: httpTarget,
  onnx: onnxTarget,
  safetensors: safetensorsTarget,
  tcv: tcvTarget,
  tokenizer: tokenizerTarget,
};
