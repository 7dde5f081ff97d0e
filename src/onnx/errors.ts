/**
 * The one error type of the ONNX -> safetensors converter. It names the file and,
 * when there is one, the initializer or node that could not be converted, so the
 * message says what to change (re-export as float32, drop the op, ...).
 */

import { TinyCnnError } from '../errors.js';

/** What a conversion failure is about: a tensor (initializer) or a node (op). */
export interface ConversionContext {
  /** Initializer / tensor name, e.g. 'onnx::Conv_123' or 'conv1.weight'. */
  tensor?: string;
  /** Node description, e.g. 'LSTM (node "/rnn/LSTM")'. */
  op?: string;
}

/** An ONNX file could not be converted to tinycnn's safetensors weight file. */
export class ConversionError extends TinyCnnError {
  /** The ONNX file (path, or '<bytes>' when converted from memory). */
  readonly file: string;
  /** The initializer concerned, when there is one. */
  readonly tensor: string | undefined;
  /** The node concerned, when there is one. */
  readonly op: string | undefined;
  /**
   * @param file     the ONNX file, for the message
   * @param message  what is wrong and what to do about it
   * @param context  the tensor or op concerned
   * @param code     stable code: 'ONNX_INVALID' (malformed / truncated file),
   *                 'ONNX_UNSUPPORTED' (valid ONNX that tinycnn cannot take)
   */
  constructor(file: string, message: string, context: ConversionContext = {}, code = 'ONNX_UNSUPPORTED') {
    const where = context.tensor !== undefined ? ` [tensor ${context.tensor}]` : context.op !== undefined ? ` [${context.op}]` : '';
    super(code, `${file}${where}: ${message}`);
    this.file = file;
    this.tensor = context.tensor;
    this.op = context.op;
  }
}
