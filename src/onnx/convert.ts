/**
 * ONNX bytes -> tinycnn safetensors bytes: decode, recognise Kim / SM, name the
 * weights as PyTorch does, fill the metadata the engine reads. No PyTorch is at
 * hand here, so no parity certificate (tinycnn.probe) is written; the file says
 * tinycnn.converter = "onnx" instead.
 */

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { encodeSafetensors } from '../safetensors/write.js';
import { mapToStateDict, type KimConfig, type SmConfig, type StateDictTensor } from './architecture.js';
import { ConversionError } from './errors.js';
import { decodeModel } from './schema.js';
import { TOKENIZER_MODES } from '../text/tokenizer.js';

export interface ConvertOptions {
  /** Class names, index = class id; default ["0", "1", ...]. Must match the model's class count. */
  labels?: readonly string[];
  /** 'clean_str_sst' (Kim default), 'split' (SM default) or 'ptb'. */
  tokenizer?: string;
}

export interface Conversion {
  /** The safetensors file. */
  bytes: Uint8Array;
  architecture: 'KimCNN' | 'SMModel';
  config: KimConfig | SmConfig;
  /** The `__metadata__` written. */
  metadata: Record<string, string>;
  /** state_dict name <- ONNX initializer, in file order, e.g. ['fc1.weight', 'onnx::MatMul_32 (transposed)']. */
  mapping: [string, string][];
  /** Things the user should know (dtype conversions); empty for a plain float32 export. */
  notes: string[];
}

/**
 * Convert an ONNX export of Kim CNN or SM CNN to a tinycnn weight file.
 * @param onnx     the .onnx file's bytes
 * @param file     its path (its base name goes into tinycnn.source; the path into error messages)
 * @param options  labels and tokenizer for the metadata
 * @throws ConversionError with the file and the tensor or op concerned
 */
export function onnxToSafetensors(onnx: Uint8Array, file: string, options: ConvertOptions = {}): Conversion {
  const model = decodeModel(onnx, file);
  const mapped = mapToStateDict(model, file);
  const classes = mapped.config.classes;
  const labels = options.labels ?? Array.from({ length: classes }, (_, i) => String(i));
  if (labels.length !== classes) {
    throw new ConversionError(file, `${labels.length} labels given (${JSON.stringify(labels)}) but the model has ${classes} classes`);
  }
  const tokenizer = options.tokenizer ?? (mapped.architecture === 'KimCNN' ? 'clean_str_sst' : 'split');
  if (!(TOKENIZER_MODES as readonly string[]).includes(tokenizer)) {
    throw new ConversionError(file, `unknown tokenizer '${tokenizer}'; use one of ${TOKENIZER_MODES.join(', ')}`);
  }
  const metadata: Record<string, string> = {
    format: 'pt',
    'tinycnn.architecture': mapped.architecture,
    'tinycnn.config': JSON.stringify(mapped.config),
    'tinycnn.labels': JSON.stringify(labels),
    'tinycnn.tokenizer': tokenizer,
    'tinycnn.source': basename(file),
    'tinycnn.source_sha256': createHash('sha256').update(onnx).digest('hex'),
    'tinycnn.converter': 'onnx',
  };
  return {
    bytes: encodeSafetensors(mapped.tensors, metadata),
    architecture: mapped.architecture,
    config: mapped.config,
    metadata,
    mapping: mapped.tensors.map((t: StateDictTensor) => [t.name, t.source]),
    notes: mapped.notes,
  };
}
