/**
 * The two models in ONNX Runtime, shared by the ort-node and ort-web peers: the
 * ONNX files come from converters/export_onnx.py run on the same safetensors
 * files tinycnn loads (bench/run.mjs exports them once and caches them by hash).
 * Graph inputs: Kim x (batch, channels, tokens, dim); SM q (batch, nq, dim),
 * a (batch, na, dim) [, ext (batch, 4)]; output logits (batch, classes).
 * The timed call wraps the (pre-packed) input arrays in ort.Tensors, runs the
 * session and reads the logits back, as a request handler would.
 */

/** One Float32Array holding a batch of equally shaped arrays, back to back. */
function pack(arrays) {
  const all = new Float32Array(arrays.reduce((n, a) => n + a.length, 0));
  arrays.forEach((a, b) => all.set(a, b * a.length));
  return all;
}

/**
 * @param {typeof import('onnxruntime-common')} ort  onnxruntime-node or onnxruntime-web
 * @param {{ kimOnnx?: string, smOnnx?: string }} weights
 * @param {object} sessionOptions
 * @param {(path: string) => string | Uint8Array} source  how this runtime wants the model (path or bytes)
 */
export async function ortSessions(ort, weights, sessionOptions, source) {
  if (!weights.kimOnnx || !weights.smOnnx) throw new Error('no ONNX files (converters/export_onnx.py did not run or failed)');
  const sessions = {
    kim: await ort.InferenceSession.create(source(weights.kimOnnx), sessionOptions),
    sm: await ort.InferenceSession.create(source(weights.smOnnx), sessionOptions),
  };
  return {
    async prepare(_runtime, c) {
      const session = sessions[c.model];
      /** [name, packed data, dims] per graph input */
      const inputs =
        c.model === 'kim'
          ? [['x', pack(c.x), [c.batch, c.channels, c.tokens, c.dim]]]
          : [
              ['q', pack(c.q), [c.batch, c.qTokens, c.dim]],
              ['a', pack(c.a), [c.batch, c.aTokens, c.dim]],
              ...(c.extFeatures > 0 ? [['ext', pack(c.ext), [c.batch, c.extFeatures]]] : []),
            ];
      const run = async () => {
        const feeds = {};
        for (const [name, data, dims] of inputs) feeds[name] = new ort.Tensor('float32', data, dims);
        const out = await session.run(feeds);
        return out.logits.data;
      };
      return { run, logits: run };
    },
  };
}
