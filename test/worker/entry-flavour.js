// Test fixture: worker/index.js with the backend fixed at bundle time (esbuild --define:TINYCNN_TEST_BACKEND=...),
// so one workerd run serves each kernel flavour beside the shipped entry's 'auto'.
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
  // eslint-disable-next-line no-undef
  backend: TINYCNN_TEST_BACKEND,
});
