/**
 * tinycnn under Node (package.json `exports` condition "node"): the whole public API of
 * src/index.ts, with the forms that take paths in place of the byte-taking ones:
 *
 *   import { pipeline } from 'tinycnn';
 *   const classifier = pipeline('sentiment-analysis');          // the shipped Kim CNN, no paths
 *   const model = loadModel('my-kim.safetensors');              // a weight file by path
 *
 * Everything else is the isomorphic engine, unchanged.
 */
export * from '../index.js';
/** pipeline(), loadTextClassifier(), loadPairRanker(): the shipped models with no paths, or weight / .tcv paths. */
export { pipeline, loadTextClassifier, loadPairRanker, type PipelineOptions } from './pipeline.js';
/** loadModel() that also takes a weight file's path. */
export { loadModel } from './files.js';
/** createThreadPool(): a large batch split across worker threads, answers in input order. */
export { createThreadPool, ThreadPool, ThreadPoolError, type ThreadPoolOptions } from './thread-pool.js';
