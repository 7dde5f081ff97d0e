/**
 * tinycnn's public API: load a Kim CNN or SM CNN weight file, run it on one
 * sentence matrix or a batch, get logits, probabilities, the argmax and its label.
 *
 *   const model = loadModel('weights/kim-static-sst1.safetensors');
 *   const { label, probabilities } = model.predict({ x: { data, tokens } }); // data: (channels, tokens, dim)
 */
export { loadModel, Model, type LoadOptions, type Prediction } from './model/model.js';
export type { KimInput, SmInput, ModelInput } from './model/input.js';
export { inputFromJson } from './model/input.js';
export type { KimSpec, SmSpec, ModelSpec } from './model/spec.js';
export type { Backend, BackendFlavour, ConvAlgorithm, Sentence } from './backend/backend.js';
export { createBackend, type BackendChoice, type ConvChoice } from './backend/select.js';
export { readSafetensors, type SafetensorsFile, type TensorView } from './safetensors/read.js';
export { softmax } from '../kernels/js/softmax.js';
export { TinyCnnError, WeightFileError, UnsupportedModelError, CertificateError, InputError, BackendError } from './errors.js';
