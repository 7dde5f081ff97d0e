/**
 * The two models in TensorFlow.js, shared by the tfjs-cpu and tfjs-wasm peers:
 * what a competent tfjs user would write — the wide conv as tf.fused.conv2d
 * (bias + activation fused) with explicit zero padding of k-1 rows, max over
 * time, concat, tf.fused.matMul for the dense layers — built from the same
 * safetensors tensors tinycnn loads. The timed call includes making the input
 * tensor from the (pre-packed) Float32Array and reading the logits back
 * (dataSync), as a request handler would.
 */
import { readFileSync } from 'node:fs';
import { readSafetensors } from '../../build/src/index.js';

/**
 * @param {typeof import('@tensorflow/tfjs-core')} tf  with its backend already set
 * @param {{ kim: string, sm: string }} weights
 */
export function tfjsModels(tf, weights) {
  const tensorsOf = (path) => readSafetensors(readFileSync(path), path).tensors;
  const kimT = tensorsOf(weights.kim);
  const smT = tensorsOf(weights.sm);
  const raw = (tensors, name) => {
    const t = tensors.get(name);
    return tf.tensor(t.data, [...t.shape], 'float32');
  };
  // PyTorch conv weight (filters, channels, k, dim) -> tfjs HWIO (k, dim, channels, filters).
  const convFilter = (tensors, name) => tf.tidy(() => tf.transpose(raw(tensors, name), [2, 3, 1, 0]));
  // PyTorch Linear weight (out, in) -> (in, out) for x · W.
  const denseWeight = (tensors, name) => tf.tidy(() => tf.transpose(raw(tensors, name)));

  const kimConvs = ['conv1', 'conv2', 'conv3'].map((conv) => {
    const filter = convFilter(kimT, `${conv}.weight`);
    return { filter, bias: raw(kimT, `${conv}.bias`), k: filter.shape[0] };
  });
  const fc = { w: denseWeight(kimT, 'fc1.weight'), b: raw(kimT, 'fc1.bias') };
  const smConv = (name) => {
    const filter = convFilter(smT, `${name}.weight`);
    return { filter, bias: raw(smT, `${name}.bias`), k: filter.shape[0] };
  };
  const convQ = smConv('conv_q');
  const convA = smConv('conv_a');
  const combined = { w: denseWeight(smT, 'combined_feature_vector.weight'), b: raw(smT, 'combined_feature_vector.bias') };
  const hidden = { w: denseWeight(smT, 'hidden.weight'), b: raw(smT, 'hidden.bias') };

  /** x NHWC (batch, tokens, dim, channels) -> (batch, filters): act(wide conv) then max over time. */
  const convMax = (x, { filter, bias, k }, activation) =>
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
        activation,
      }),
      [1, 2],
    );

  /** One Float32Array holding a batch of equally shaped arrays, back to back (done once, untimed). */
  const pack = (arrays) => {
    const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
    arrays.forEach((a, b) => all.set(a, b * a.length));
    return all;
  };
  /** packed (batch, channels, tokens, dim) -> NHWC tensor (batch, tokens, dim, channels). */
  const nhwc = (data, batch, channels, tokens, dim) => {
    const x = tf.tensor4d(data, [batch, channels, tokens, dim]);
    return channels === 1 ? tf.reshape(x, [batch, tokens, dim, 1]) : tf.transpose(x, [0, 2, 3, 1]);
  };

  return {
    /** The timed call for a case: one forward pass of its whole batch, returning the logits (batch, classes). */
    prepare(c) {
      if (c.model === 'kim') {
        const data = pack(c.x);
        return () =>
          tf.tidy(() => {
            const x = nhwc(data, c.batch, c.channels, c.tokens, c.dim);
            const features = tf.concat(
              kimConvs.map((conv) => convMax(x, conv, 'relu')),
              1,
            );
            return tf.fused.matMul({ a: features, b: fc.w, bias: fc.b }).dataSync();
          });
      }
      const [q, a, ext] = [pack(c.q), pack(c.a), pack(c.ext)];
      return () =>
        tf.tidy(() => {
          // tanh after the max: same values (tanh is increasing), and tfjs has no fused tanh.
          const parts = [
            tf.tanh(convMax(nhwc(q, c.batch, 1, c.qTokens, c.dim), convQ, 'linear')),
            tf.tanh(convMax(nhwc(a, c.batch, 1, c.aTokens, c.dim), convA, 'linear')),
          ];
          if (c.extFeatures > 0) parts.push(tf.tensor2d(ext, [c.batch, c.extFeatures]));
          const h = tf.tanh(tf.fused.matMul({ a: tf.concat(parts, 1), b: combined.w, bias: combined.b }));
          return tf.fused.matMul({ a: h, b: hidden.w, bias: hidden.b }).dataSync();
        });
    },
  };
}
