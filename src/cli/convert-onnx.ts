/**
 * `tinycnn convert MODEL.onnx OUT.safetensors`: the file-level side of the ONNX
 * converter. protobufjs is loaded only when this runs, so neither the engine nor
 * the rest of the CLI needs it installed.
 */

import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { ConvertOptions } from '../onnx/convert.js';
import { importOptional } from '../optional.js';

export interface ConvertOnnxOptions extends ConvertOptions {
  /** Where notes go (dtype conversions, the name mapping); default: stderr. Pass () => {} to silence. */
  log?: (line: string) => void;
}

/**
 * Convert an ONNX export of Kim CNN or SM CNN to a tinycnn safetensors weight file.
 * @param input    path of the .onnx file (self-contained: no external data)
 * @param output   path of the .safetensors file to write; written to a temporary file, then renamed,
 *                 so a failed conversion never leaves a partial file
 * @param options  labels (default "0".."C-1"), tokenizer (default clean_str_sst for Kim, split for SM), log
 * @throws ConversionError (code ONNX_INVALID / ONNX_UNSUPPORTED) naming the file and the tensor or op;
 *         MissingPackageError (PACKAGE_MISSING) when protobufjs is not installed
 */
export async function convertOnnx(input: string, output: string, options: ConvertOnnxOptions = {}): Promise<void> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const convert = await importOptional('protobufjs', 'reading ONNX files', () => import('../onnx/convert.js'));
  const bytes = await readFile(input);
  const result = convert.onnxToSafetensors(bytes, input, options);
  const tmp = `${output}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, result.bytes);
    await rename(tmp, output);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
  log(`${input} -> ${output}: ${result.architecture} ${result.metadata['tinycnn.config']}`);
  for (const [name, source] of result.mapping) if (name !== source) log(`  ${name} <- ${source}`);
  for (const note of result.notes) log(`  note: ${note}`);
}
