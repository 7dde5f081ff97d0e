/**
 * TensorProto -> Float32Array. FLOAT is copied bit for bit (from raw_data or
 * float_data); FLOAT16, BFLOAT16 and DOUBLE are widened / rounded to float32 with a
 * note; every other dtype (INT8 / UINT8 quantized weights, INT64, STRING, ...) and
 * every tensor whose bytes live outside the file is refused, naming the tensor.
 */

import { ConversionError } from './errors.js';
import { ONNX_DTYPES, type OnnxTensor } from './schema.js';

const FLOAT = 1;
const FLOAT16 = 10;
const DOUBLE = 11;
const BFLOAT16 = 16;

/** A float tensor read out of an ONNX TensorProto. */
export interface F32Tensor {
  /** Dims as stored in the ONNX file. */
  shape: number[];
  /** Row-major values. */
  data: Float32Array;
  /** Set when the values were converted from another float type (for the CLI to print). */
  note: string | undefined;
}

/** Human name of an ONNX dtype number, e.g. 'INT8 (3)'. */
export function dtypeName(dataType: number): string {
  return `${ONNX_DTYPES[dataType] ?? 'unknown'} (${dataType})`;
}

/**
 * Read a float tensor out of a TensorProto.
 * @param t     the decoded tensor (an initializer or a Constant node's value)
 * @param file  the ONNX file, for error messages
 * @throws ConversionError naming the tensor when its dtype or storage is unsupported
 *         or its byte count does not match its dims
 */
export function readF32(t: OnnxTensor, file: string): F32Tensor {
  const name = t.name || '<unnamed>';
  if (t.external) {
    throw new ConversionError(
      file,
      `data is stored outside the .onnx file (external data${
        t.externalLocation ? ` in '${t.externalLocation}'` : ''
      }); tinycnn converts self-contained models only — ` +
        're-export without external data (models this small never need it), or load it and save with ' +
        'onnx.save_model(model, path, save_as_external_data=False)',
      { tensor: name },
    );
  }
  if (t.segmented) {
    throw new ConversionError(file, 'tensor is stored in segments (TensorProto.segment), which tinycnn does not read', { tensor: name });
  }
  const numel = t.dims.reduce((a, b) => a * b, 1);
  if (t.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new ConversionError(file, `invalid dims ${JSON.stringify(t.dims)}`, { tensor: name }, 'ONNX_INVALID');
  }
  const shape = [...t.dims];
  switch (t.dataType) {
    case FLOAT:
      if (t.rawData !== undefined) return { shape, data: fromRaw(t.rawData, numel, 4, name, file, copyF32), note: undefined };
      return { shape, data: fromList(t.floatData, numel, 'float_data', name, file), note: undefined };
    case DOUBLE: {
      const note = `${name}: DOUBLE converted to float32 (rounded to nearest)`;
      if (t.rawData !== undefined) return { shape, data: fromRaw(t.rawData, numel, 8, name, file, readF64), note };
      return { shape, data: fromList(t.doubleData, numel, 'double_data', name, file), note };
    }
    case FLOAT16:
    case BFLOAT16: {
      const widen = t.dataType === FLOAT16 ? halfToFloat : bfloat16ToFloat;
      const note = `${name}: ${ONNX_DTYPES[t.dataType]} widened to float32 (exact)`;
      if (t.rawData !== undefined) {
        return { shape, data: fromRaw(t.rawData, numel, 2, name, file, (raw, out) => read16(raw, out, widen)), note };
      }
      // Without raw_data, 16-bit floats are stored as their bit patterns in int32_data.
      const bits = fromList(t.int32Data, numel, 'int32_data', name, file);
      const out = new Float32Array(numel);
      for (let i = 0; i < numel; i++) out[i] = widen(bits[i] & 0xffff);
      return { shape, data: out, note };
    }
    default:
      throw new ConversionError(
        file,
        `dtype ${dtypeName(t.dataType)} is not supported: tinycnn needs float32 ` +
          'weights (FLOAT16, BFLOAT16 and DOUBLE are converted); quantized or integer weights cannot be converted — ' +
          'export the model in float32 (without quantization)',
        { tensor: name },
      );
  }
}

/** Check a raw_data byte count, then decode it element by element. */
function fromRaw(
  raw: Uint8Array,
  numel: number,
  width: number,
  name: string,
  file: string,
  decode: (raw: Uint8Array, out: Float32Array) => void,
): Float32Array {
  if (raw.length !== numel * width) {
    throw new ConversionError(
      file,
      `raw_data holds ${raw.length} bytes, dims need ${numel} x ${width} = ${numel * width} (corrupt or truncated file)`,
      { tensor: name },
      'ONNX_INVALID',
    );
  }
  const out = new Float32Array(numel);
  decode(raw, out);
  return out;
}

function fromList(values: ArrayLike<number>, numel: number, field: string, name: string, file: string): Float32Array {
  if (values.length !== numel) {
    throw new ConversionError(
      file,
      `${field} holds ${values.length} values, dims need ${numel}${values.length === 0 ? ' (no data in the file: exported with export_params=False?)' : ''}`,
      { tensor: name },
      'ONNX_INVALID',
    );
  }
  return Float32Array.from(values);
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Little-endian float32 bytes -> Float32Array, bit for bit (NaN payloads included). */
function copyF32(raw: Uint8Array, out: Float32Array): void {
  if (littleEndianHost) {
    new Uint8Array(out.buffer, out.byteOffset, out.byteLength).set(raw); // raw may be unaligned: copy bytes
    return;
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
}

function readF64(raw: Uint8Array, out: Float32Array): void {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
}

function read16(raw: Uint8Array, out: Float32Array, widen: (bits: number) => number): void {
  for (let i = 0; i < out.length; i++) out[i] = widen(raw[2 * i] | (raw[2 * i + 1] << 8));
}

/** IEEE 754 binary16 bits -> number (exact: every half is a float32). */
export function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero / subnormal
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

const bf16Scratch = new Float32Array(1);
const bf16Bits = new Uint32Array(bf16Scratch.buffer);

/** bfloat16 bits -> number: the top half of a float32. */
export function bfloat16ToFloat(bits: number): number {
  bf16Bits[0] = (bits & 0xffff) << 16;
  return bf16Scratch[0];
}
