/**
 * ort-web: onnxruntime-web 1.30 in Node, WebAssembly execution provider (its
 * SIMD build), one thread; in a process of its own. The models are in
 * ort-common.mjs.
 */
import { readFileSync } from 'node:fs';
import { ortSessions } from './ort-common.mjs';

export async function open({ weights }) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const options = { executionProviders: ['wasm'], graphOptimizationLevel: 'all', executionMode: 'sequential' };
  const models = await ortSessions(ort, weights, options, (path) => new Uint8Array(readFileSync(path)));
  return {
    runtimes: ['ort-web'],
    info: { version: ort.env.versions?.web, threads: ort.env.wasm.numThreads, provider: 'wasm' },
    prepare: models.prepare,
  };
}
