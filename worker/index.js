// tinycnn as a Cloudflare Worker: castorini's API (POST /kim, POST /sm, POST /, GET /health)
// from the shipped models, bundled into the Worker. `wrangler deploy` (see wrangler.toml beside
// this file) bundles it: the weights and vector files as Data modules (ArrayBuffers), the
// kernels as CompiledWasm modules (Workers refuse to compile wasm from bytes at run time).
// INIT runs at global scope, once per isolate. To serve your own model, import your files here.
import { createWorker } from 'tinycnn/worker';
import kimWeights from 'tinycnn/weights/kim-sst2.safetensors';
import kimVectors from 'tinycnn/weights/kim-sst2.tcv';
import smWeights from 'tinycnn/weights/sm-trecqa.safetensors';
import smVectors from 'tinycnn/weights/sm-trecqa.tcv';
import simd from 'tinycnn/kernels/simd.wasm';
import relaxed from 'tinycnn/kernels/relaxed.wasm';

export default createWorker({
  models: {
    kim: { weights: kimWeights, vectors: kimVectors, names: { weights: 'kim-sst2.safetensors', vectors: 'kim-sst2.tcv' } },
    sm: { weights: smWeights, vectors: smVectors, names: { weights: 'sm-trecqa.safetensors', vectors: 'sm-trecqa.tcv' } },
  },
  kernels: { simd, relaxed },
});
