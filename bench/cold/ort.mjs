// Cold start of the same Kim CNN (exported to ONNX by converters/export_onnx.py) in
// onnxruntime-node 1.30 (native CPU) or onnxruntime-web 1.30 (wasm SIMD), one thread:
// import, create the session, one run, exit.
//   node ort.mjs node|web KIM.onnx CLASSES
import { readFileSync } from 'node:fs';
import { kimInput, report } from './common.mjs';

const flavour = process.argv[2];
let ort;
let session;
if (flavour === 'node') {
  ort = (await import('onnxruntime-node')).default;
  session = await ort.InferenceSession.create(process.argv[3], {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
} else {
  ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  session = await ort.InferenceSession.create(new Uint8Array(readFileSync(process.argv[3])), { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}
const initDone = performance.timeOrigin + performance.now();
const out = await session.run({ x: new ort.Tensor('float32', kimInput(), [1, 1, 20, 300]) });
if (out.logits.data.length !== Number(process.argv[4])) throw new Error('unexpected logits');
report(initDone);
