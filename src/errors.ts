/**
 * Typed errors. Each carries the context a user needs to act on it (the file,
 * the tensor, the field) and a stable `code` that callers can branch on.
 */

/** Base class: every error tinycnn throws on purpose is a TinyCnnError. */
export class TinyCnnError extends Error {
  /** Stable machine-readable code, e.g. 'WEIGHTS_INVALID'. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/**
 * A weight file is malformed: bad header, offsets, dtype, missing or misshapen tensor
 * ('WEIGHTS_INVALID'), or a NaN or infinite weight ('WEIGHTS_NOT_FINITE').
 */
export class WeightFileError extends TinyCnnError {
  /** The file (path, or '<bytes>' when loaded from memory). */
  readonly file: string;
  /** The tensor concerned, when there is one. */
  readonly tensor: string | undefined;
  constructor(file: string, message: string, tensor?: string, code: 'WEIGHTS_INVALID' | 'WEIGHTS_NOT_FINITE' = 'WEIGHTS_INVALID') {
    super(code, `${file}${tensor ? ` [${tensor}]` : ''}: ${message}`);
    this.file = file;
    this.tensor = tensor;
  }
}

/** The weight file is well-formed but holds a layout tinycnn does not know. */
export class UnsupportedModelError extends TinyCnnError {
  readonly file: string;
  constructor(file: string, message: string) {
    super('MODEL_UNSUPPORTED', `${file}: ${message}`);
    this.file = file;
  }
}

/** The parity certificate stored by the exporter did not reproduce. */
export class CertificateError extends TinyCnnError {
  readonly file: string;
  /** Largest |ours - pytorch| / (1 + |pytorch|) over the probe's logits. */
  readonly worstError: number;
  constructor(file: string, message: string, worstError: number) {
    super('CERTIFICATE_FAILED', `${file}: ${message}`);
    this.file = file;
    this.worstError = worstError;
  }
}

/**
 * A forward pass produced a NaN or infinite logit from finite weights and finite inputs
 * (float32 overflow): the model has no answer for that input. Code 'OUTPUT_NOT_FINITE'.
 */
export class OutputError extends TinyCnnError {
  readonly file: string;
  /** Which input of the batch. */
  readonly input: number;
  /** Which logit. */
  readonly logit: number;
  constructor(file: string, input: number, logit: number, value: number) {
    super(
      'OUTPUT_NOT_FINITE',
      `${file}: logit ${logit} of input ${input} is ${value}: the weights overflow float32 on this input, so the model has no answer for it`,
    );
    this.file = file;
    this.input = input;
    this.logit = logit;
  }
}

/** An input given to a model is unusable (wrong width, no tokens, NaN, ragged rows, ...). */
export class InputError extends TinyCnnError {
  /** Which input: 'x', 'q', 'a', 'ext', 'batch[3].x', ... */
  readonly field: string;
  constructor(field: string, message: string) {
    super('INPUT_INVALID', `${field}: ${message}`);
    this.field = field;
  }
}

/** A backend could not be created or ran out of room (e.g. wasm memory for a huge batch). */
export class BackendError extends TinyCnnError {
  readonly backend: string;
  constructor(backend: string, message: string, code = 'BACKEND_FAILED') {
    super(code, `${backend}: ${message}`);
    this.backend = backend;
  }
}
