/**
 * tfjs-wasm: @tensorflow/tfjs-backend-wasm 4.22 (XNNPACK compiled to WebAssembly
 * SIMD, one thread: Node has no SharedArrayBuffer workers here), in a process of
 * its own. The models are in tfjs-common.mjs.
 */
import { tfjsModels } from './tfjs-common.mjs';

export async function open({ weights }) {
  const tf = await import('@tensorflow/tfjs-core');
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  wasm.setThreadsCount?.(1);
  await tf.setBackend('wasm');
  await tf.ready();
  const models = tfjsModels(tf, weights);
  return {
    runtimes: ['tfjs-wasm'],
    info: {
      version: wasm.version_wasm,
      backend: tf.getBackend(),
      simd: tf.env().getBool('WASM_HAS_SIMD_SUPPORT'),
      threads: wasm.getThreadsCount?.() ?? 1,
    },
    async prepare(_runtime, c) {
      const run = models.prepare(c);
      return { run, logits: run };
    },
  };
}
