/**
 * safetensors reader: 8-byte little-endian header length, a JSON header, then
 * the raw tensor data. Every F32 tensor becomes a Float32Array *view* over the
 * file's bytes when it is 4-byte aligned (exported files pad the header so it
 * always is), or one copy otherwise. Everything the format promises is checked
 * before a single float is read; each failure names the file and the tensor.
 */
import { WeightFileError } from '../errors.js';

/** One tensor of the file. */
export interface TensorView {
  readonly dtype: 'F32';
  readonly shape: readonly number[];
  readonly data: Float32Array; // (product of shape)
}

export interface SafetensorsFile {
  /** Path or name used in error messages. */
  readonly file: string;
  /** `__metadata__`: string keys to string values. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorView>;
}

const SUPPORTED_DTYPES = ['F32'];
const MAX_HEADER_BYTES = 100 * 1024 * 1024; // the reference implementation's own limit
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parses and validates a safetensors file.
 * @param bytes the whole file; kept alive by the returned views
 * @param file  path or name for error messages
 */
export function readSafetensors(bytes: Uint8Array, file: string): SafetensorsFile {
  const fail = (message: string, tensor?: string): never => {
    throw new WeightFileError(file, message, tensor);
  };
  if (bytes.length < 8) fail(`file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    fail(`header length ${headerLength} runs past the end of the file (${bytes.length} bytes); the file is truncated or not safetensors`);
  }
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} exceeds ${MAX_HEADER_BYTES} bytes`);

  const header = parseHeader(bytes.subarray(8, 8 + headerLength), fail);
  const metadata = readMetadata(header.__metadata__, fail);
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;

  const entries: Entry[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name !== '__metadata__') entries.push(readEntry(name, value, fail));
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const entry of entries) {
    if (entry.begin < expected) fail(`data offsets [${entry.begin}, ${entry.end}) overlap the previous tensor (ends at ${expected})`, entry.name);
    // past the end before gap: offsets beyond the data are a truncated (or lying) file, not a hole in it
    if (entry.end > dataLength)
      fail(`data offsets [${entry.begin}, ${entry.end}) run past the end of the data (${dataLength} bytes); the file is truncated`, entry.name);
    if (entry.begin > expected) fail(`data offsets [${entry.begin}, ${entry.end}) leave a gap after byte ${expected}`, entry.name);
    expected = entry.end;
  }
  if (expected !== dataLength) fail(`${dataLength - expected} bytes of data after the last tensor are not described by the header`);

  const tensors = new Map<string, TensorView>();
  for (const entry of entries) {
    tensors.set(entry.name, { dtype: 'F32', shape: entry.shape, data: floats(bytes, dataStart + entry.begin, entry.end - entry.begin) });
  }
  return { file, metadata, tensors };
}

function parseHeader(json: Uint8Array, fail: (message: string) => never): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch (error) {
    fail(`header is not valid UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');
  return header as Record<string, unknown>;
}

function readMetadata(value: unknown, fail: (message: string) => never): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('__metadata__ is not an object');
  const metadata: Record<string, string> = {};
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (typeof item !== 'string') fail(`__metadata__["${key}"] is not a string`);
    metadata[key] = item as string;
  }
  return metadata;
}

function readEntry(name: string, value: unknown, fail: (message: string, tensor?: string) => never): Entry {
  if (typeof value !== 'object' || value === null) fail('header entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (typeof dtype !== 'string' || !SUPPORTED_DTYPES.includes(dtype)) {
    fail(`dtype ${JSON.stringify(dtype)} is not supported (tinycnn reads ${SUPPORTED_DTYPES.join(', ')}; export float32 weights)`, name);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) fail(`shape ${JSON.stringify(shape)} is not a list of sizes`, name);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    fail(`data_offsets ${JSON.stringify(offsets)} is not a [begin, end] pair`, name);
  }
  const [begin, end] = offsets as number[];
  const numel = (shape as number[]).reduce((a, b) => a * b, 1);
  if (end < begin || end - begin !== numel * 4) {
    fail(`data_offsets [${begin}, ${end}) hold ${end - begin} bytes but shape [${shape}] needs ${numel * 4}`, name);
  }
  return { name, shape: shape as number[], begin, end };
}

/** A Float32Array over `length` bytes at `at`: a view when aligned on a little-endian host, else a copy. */
function floats(bytes: Uint8Array, at: number, length: number): Float32Array {
  const absolute = bytes.byteOffset + at;
  if (LITTLE_ENDIAN_HOST && absolute % 4 === 0) return new Float32Array(bytes.buffer, absolute, length / 4);
  const copy = new Float32Array(length / 4);
  const view = new DataView(bytes.buffer, absolute, length);
  for (let i = 0; i < copy.length; i++) copy[i] = view.getFloat32(i * 4, true);
  return copy;
}
