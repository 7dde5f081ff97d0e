/**
 * tfjs-cpu: @tensorflow/tfjs-backend-cpu 4.22 (plain JavaScript kernels), in a
 * process of its own (tfjs keeps a global backend registry and tensor engine).
 * The models are in tfjs-common.mjs.
 */
import { tfjsModels } from './tfjs-common.mjs';

export async function open({ weights }) {
  const tf = await import('@tensorflow/tfjs-core');
  await import('@tensorflow/tfjs-backend-cpu');
  await tf.setBackend('cpu');
  await tf.ready();
  const models = tfjsModels(tf, weights);
  return {
    runtimes: ['tfjs-cpu'],
    info: { version: tf.version_core, backend: tf.getBackend() },
    async prepare(_runtime, c) {
      const run = models.prepare(c);
      return { run, logits: run };
    },
  };
}
