/**
 * ort-node: onnxruntime-node 1.30, native CPU execution provider (MLAS, AVX2/
 * AVX-512 with FMA on x86_64), one intra-op and one inter-op thread, full graph
 * optimisation; in a process of its own. Installed with ONNXRUNTIME_NODE_INSTALL=skip
 * (the CPU binary ships in the package). The models are in ort-common.mjs.
 */
import { ortSessions } from './ort-common.mjs';

export async function open({ weights }) {
  const ort = (await import('onnxruntime-node')).default;
  const options = { executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  const models = await ortSessions(ort, weights, options, (path) => path);
  return {
    runtimes: ['ort-node'],
    info: { version: ort.env.versions?.node, threads: 1, provider: 'cpu' },
    prepare: models.prepare,
  };
}
