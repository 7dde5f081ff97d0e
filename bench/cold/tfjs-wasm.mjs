// Cold start of the same Kim CNN in @tensorflow/tfjs-backend-wasm 4.22 (from bench/node_modules):
// import, set the wasm backend, build the model from the same safetensors file, one forward, exit.
//   node tfjs-wasm.mjs KIM.safetensors
import { kimInput, readSafetensors, report } from './common.mjs';

const tf = await import('@tensorflow/tfjs-core');
const wasm = await import('@tensorflow/tfjs-backend-wasm');
wasm.setThreadsCount?.(1);
await tf.setBackend('wasm');
await tf.ready();
const t = readSafetensors(process.argv[2]);
const raw = (name) => tf.tensor(t[name].data, t[name].shape, 'float32');
const convs = ['conv1', 'conv2', 'conv3'].map((c) => {
  const filter = tf.transpose(raw(`${c}.weight`), [2, 3, 1, 0]); // (F, C, k, D) -> HWIO (k, D, C, F)
  return { filter, bias: raw(`${c}.bias`), k: filter.shape[0] };
});
const fcW = tf.transpose(raw('fc1.weight'));
const fcB = raw('fc1.bias');
const initDone = performance.timeOrigin + performance.now();
const logits = tf.tidy(() => {
  const x = tf.tensor4d(kimInput(), [1, 20, 300, 1]);
  const features = convs.map(({ filter, bias, k }) =>
    tf.max(
      tf.fused.conv2d({
        x,
        filter,
        strides: 1,
        pad: [
          [0, 0],
          [k - 1, k - 1],
          [0, 0],
          [0, 0],
        ],
        bias,
        activation: 'relu',
      }),
      [1, 2],
    ),
  );
  return tf.fused.matMul({ a: tf.concat(features, 1), b: fcW, bias: fcB }).dataSync();
});
if (logits.length !== t['fc1.weight'].shape[0]) throw new Error('unexpected logits');
report(initDone, { backend: tf.getBackend() });
