/**
 * A loaded model: weights read zero-copy, its architecture detected from the
 * tensors (model/registry.ts), packed once by the chosen backend, optionally
 * checked against the parity certificate, then run on one input or a batch with
 * the scratch of its one RunState. The pipelines (src/pipeline) build on it.
 * It takes the file's bytes: reading a path is the host's job (src/node/files.ts).
 */
import type { Backend, BackendFlavour, ConvAlgorithm } from '../backend/backend.js';
import { createBackend, type BackendChoice, type ConvChoice } from '../backend/select.js';
import { InputError, OutputError, WeightFileError } from '../errors.js';
import { softmax } from '../../kernels/js/softmax.js';
import { readSafetensors } from '../safetensors/read.js';
import type { ForwardPass } from './architecture.js';
import { checkCertificate, readProbe, type CertificateResult } from './certificate.js';
import { assertFiniteWeights } from './finite.js';
import { checkInput } from './input.js';
import { detectArchitecture, type AnyArchitecture, type ModelInput, type ModelSpec } from './registry.js';
import { RunState } from './run-state.js';

/** How loadModel() reads, packs and checks a weight file. */
export interface LoadOptions {
  /** Kernels to run: 'auto' (default: $TINYCNN_BACKEND, else the fastest the runtime supports), a flavour, or a Backend. */
  backend?: BackendChoice | Backend;
  /** Re-run the file's parity certificate (one forward pass) and refuse the file if it fails. Default true. */
  verify?: boolean;
  /** Name for error messages (the file's path or URL). Default '<bytes>'. */
  name?: string;
  /** A precompiled wasm module for the SIMD backends (edge runtimes that forbid compiling from bytes). */
  wasmModule?: WebAssembly.Module;
  /** Inputs per call to size the run state for at load (default 1); a larger batch grows it once. */
  batch?: number;
  /** Convolution algorithm when `backend` is not a Backend: 'auto' (default: $TINYCNN_CONV, else Winograd), 'direct', 'winograd'. */
  conv?: ConvChoice;
}

/** The answer for one input. */
export interface Prediction {
  readonly logits: number[];
  readonly probabilities: number[];
  /** argmax of the logits. */
  readonly prediction: number;
  /** The label of `prediction`, from the weight file's metadata. */
  readonly label: string;
}

/**
 * Loads a tinycnn safetensors file from its bytes.
 * @param bytes   the file's bytes (kept alive: tensors are views over them)
 * @param options backend, certificate check, name for errors
 */
export function loadModel(bytes: Uint8Array, options: LoadOptions = {}): Model {
  if (!(bytes instanceof Uint8Array)) {
    throw new WeightFileError(
      String(bytes),
      'loadModel takes the file\'s bytes here; a path needs file access: import tinycnn under Node (its "node" entry reads paths)',
    );
  }
  const file = options.name ?? '<bytes>';
  const weights = readSafetensors(bytes, file);
  const { architecture, spec } = detectArchitecture(weights);
  assertFiniteWeights(weights); // before anything is packed or run: a NaN weight is refused, never served
  const backend =
    typeof options.backend === 'object' ? options.backend : createBackend({ backend: options.backend, wasmModule: options.wasmModule, conv: options.conv });
  const forwardPass = architecture.createForward(spec, weights, backend);
  const state = new RunState(spec.classes, architecture.scratchWidths(spec), architecture.slots(spec).length, Math.max(1, options.batch ?? 1));
  const model = new Model(file, architecture, spec, weights.metadata, backend, forwardPass, state);
  if (options.verify !== false) model.verify();
  return model;
}

/** A loaded Kim CNN or SM CNN: logits, probabilities and labels from sentence matrices. */
export class Model {
  /** What the last verify() found; undefined before it ran or when the file has no certificate. */
  certificate: CertificateResult | undefined;

  /** Use loadModel(). */
  constructor(
    /** The weight file's path or name. */
    readonly file: string,
    /** The model kind's contract (slots, task, title), from model/registry.ts. */
    readonly architecture: AnyArchitecture,
    /** Architecture and sizes, read from the file. */
    readonly spec: ModelSpec,
    /** The file's `__metadata__` (tokenizer, source checkpoint, ...). */
    readonly metadata: Readonly<Record<string, string>>,
    private readonly backend: Backend,
    private readonly forwardPass: ForwardPass<ModelInput>,
    /** All of this model's scratch: logits, features, sentence lists, word-vector buffers. */
    readonly state: RunState,
  ) {}

  /** The kernels this model runs on. */
  get flavour(): BackendFlavour {
    return this.backend.flavour;
  }

  /** The convolution algorithm its backend runs. */
  get conv(): ConvAlgorithm {
    return this.backend.conv;
  }

  /** Re-runs the parity certificate; throws CertificateError if it fails; undefined when the file has none. */
  verify(): CertificateResult | undefined {
    const probe = readProbe(this.architecture, this.spec, this.metadata, this.file);
    if (probe === undefined) return undefined;
    this.certificate = checkCertificate(this.file, this.logits(probe.input), probe.expected, this.backend.flavour);
    return this.certificate;
  }

  /**
   * out (batch, classes) <- the logits of each input: the allocation-free entry point.
   * Every input is checked first; a bad one throws InputError naming `batch[i]`. A logit that
   * comes out NaN or infinite (float32 overflow) throws OutputError: never a silent NaN.
   */
  forward(out: Float32Array, inputs: readonly ModelInput[]): void {
    if (inputs.length === 0) throw new InputError('batch', 'is empty');
    if (out.length < inputs.length * this.spec.classes) throw new InputError('out', `needs ${inputs.length * this.spec.classes} floats`);
    inputs.forEach((input, i) => checkInput(this.spec, input, inputs.length === 1 ? 'input' : `batch[${i}]`));
    this.state.ensure(inputs.length);
    this.forwardPass.run(out, inputs, this.state);
    const classes = this.spec.classes;
    for (let i = 0; i < inputs.length * classes; i++) {
      const v = out[i];
      if (v - v !== 0) throw new OutputError(this.file, Math.floor(i / classes), i % classes, v);
    }
  }

  /** The logits of one input, as a new array (classes). */
  logits(input: ModelInput): Float32Array {
    return this.logitsBatch([input])[0];
  }

  /** The logits of each input of a batch (sentences may differ in length), each a new array (classes). */
  logitsBatch(inputs: readonly ModelInput[]): Float32Array[] {
    const classes = this.spec.classes;
    this.state.ensure(inputs.length);
    const out = this.state.logits; // (capacity, classes)
    this.forward(out, inputs);
    return inputs.map((_, b) => out.slice(b * classes, (b + 1) * classes));
  }

  /** Logits, softmax probabilities, argmax and its label for one input. */
  predict(input: ModelInput): Prediction {
    return this.predictBatch([input])[0];
  }

  /** predict() over a batch, in one forward pass. */
  predictBatch(inputs: readonly ModelInput[]): Prediction[] {
    return this.logitsBatch(inputs).map((row) => {
      const probabilities = new Array<number>(row.length);
      softmax(probabilities, row, row.length);
      let prediction = 0;
      for (let i = 1; i < row.length; i++) if (row[i] > row[prediction]) prediction = i;
      return { logits: Array.from(row), probabilities, prediction, label: this.spec.labels[prediction] };
    });
  }
}
