/**
 * naive-js: the two models as anyone would first write them — straightforward
 * loops over Float32Array in PyTorch's layout, no blocking, no packing, a fresh
 * result array per call. The yardstick of issue 2's "<= 0.6x the naive loop".
 * Weights come from the same safetensors file, read with the engine's reader.
 */
import { readFileSync } from 'node:fs';
import { readSafetensors } from '../../build/src/index.js';

/**
 * max over t of act(bias[f] + sum_{c,j,d} w[f,c,j,d] * xpad[c, t+j, d]) for each filter f,
 * where xpad is x (channels, n, dim) with k-1 zero rows above and below.
 */
function convMax(w, bias, [filters, channels, k, dim], x, n, act) {
  const out = new Float32Array(filters);
  for (let f = 0; f < filters; f++) {
    let best = -Infinity;
    for (let t = 0; t < n + k - 1; t++) {
      let sum = bias[f];
      for (let c = 0; c < channels; c++) {
        for (let j = 0; j < k; j++) {
          const row = t + j - (k - 1); // row of x under tap j; outside = zero padding
          if (row < 0 || row >= n) continue;
          for (let d = 0; d < dim; d++) sum += w[((f * channels + c) * k + j) * dim + d] * x[(c * n + row) * dim + d];
        }
      }
      best = Math.max(best, act(sum));
    }
    out[f] = best;
  }
  return out;
}

/** y = act(W x + b) for W (out, in). */
function dense(w, bias, [outFeatures, inFeatures], x, act) {
  const y = new Float32Array(outFeatures);
  for (let o = 0; o < outFeatures; o++) {
    let sum = bias[o];
    for (let i = 0; i < inFeatures; i++) sum += w[o * inFeatures + i] * x[i];
    y[o] = act(sum);
  }
  return y;
}

const relu = (v) => (v > 0 ? v : 0);
const identity = (v) => v;

function concat(parts) {
  const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return all;
}

/** @param {{ weights: { kim: string, sm: string } }} ctx */
export async function open({ weights }) {
  const load = (path) => {
    const file = readSafetensors(readFileSync(path), path);
    return (name) => {
      const t = file.tensors.get(name);
      if (t === undefined) throw new Error(`${path}: no tensor ${name}`);
      return [t.data, t.shape];
    };
  };
  const kim = load(weights.kim);
  const sm = load(weights.sm);

  /** logits of one Kim sentence x (channels, n, dim) */
  const kimForward = (x, n) => {
    const features = ['conv1', 'conv2', 'conv3'].map((conv) => {
      const [w, shape] = kim(`${conv}.weight`);
      return convMax(w, kim(`${conv}.bias`)[0], shape, x, n, relu);
    });
    const [w, shape] = kim('fc1.weight');
    return dense(w, kim('fc1.bias')[0], shape, concat(features), identity);
  };

  /** logits of one SM pair: q (nq, dim), a (na, dim), ext (4) or empty */
  const smForward = (q, nq, a, na, ext) => {
    const [wq, sq] = sm('conv_q.weight');
    const [wa, sa] = sm('conv_a.weight');
    const features = concat([convMax(wq, sm('conv_q.bias')[0], sq, q, nq, Math.tanh), convMax(wa, sm('conv_a.bias')[0], sa, a, na, Math.tanh), ext]);
    const [wc, sc] = sm('combined_feature_vector.weight');
    const hidden = dense(wc, sm('combined_feature_vector.bias')[0], sc, features, Math.tanh);
    const [wh, sh] = sm('hidden.weight');
    return dense(wh, sm('hidden.bias')[0], sh, hidden, identity);
  };

  return {
    runtimes: ['naive-js'],
    info: { what: 'straightforward loops over Float32Array, written in bench/peers/naive.mjs' },
    async prepare(_runtime, c) {
      const run =
        c.model === 'kim'
          ? () => c.x.map((x) => kimForward(x, c.tokens))
          : () => c.q.map((q, b) => smForward(q, c.qTokens, c.a[b], c.aTokens, c.ext[b] ?? new Float32Array(0)));
      return { run, logits: () => concat(run()) };
    },
  };
}
