/**
 * safetensors writer, F32 only, in the layout tinycnn's reader and
 * converters/export.py share:
 *   [u64 LE header_len][header JSON, space-padded][tensor data]
 * - header: {"__metadata__": {...strings}, "<name>": {"dtype": "F32", "shape": [...],
 *   "data_offsets": [begin, end]}, ...} with tensors in sorted-name order;
 * - the JSON is padded with spaces so 8 + header_len is a multiple of 8, which makes
 *   every F32 tensor 4-byte aligned in the file (zero-copy Float32Array views);
 * - data: tensors contiguous, in sorted-name order, little-endian float32.
 */

/** One tensor to write. */
export interface TensorToWrite {
  /** Tensor name, e.g. 'conv1.weight'; must be unique, non-empty and not '__metadata__'. */
  name: string;
  /** Dims, PyTorch order; the product must equal data.length ([] for a scalar). */
  shape: readonly number[];
  /** Row-major values. */
  data: Float32Array;
}

/**
 * Encode tensors and metadata as a safetensors file.
 * @param tensors   tensors in any order; written sorted by name (code-unit order, like Python's sorted())
 * @param metadata  `__metadata__` entries; safetensors allows string values only
 * @returns the whole file
 * @throws TypeError on a duplicate / reserved name, a shape that does not match the data, or a
 *         non-string metadata value (programming errors, not user input)
 */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata: Record<string, string>): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new TypeError(`safetensors metadata '${key}' must be a string, got ${typeof value}`);
  }
  header['__metadata__'] = { ...metadata }; // always, as converters/safetensors_io.py does: same bytes for same input
  let offset = 0;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i];
    if (t.name === '' || t.name === '__metadata__') throw new TypeError(`invalid tensor name '${t.name}'`);
    if (i > 0 && sorted[i - 1].name === t.name) throw new TypeError(`duplicate tensor name '${t.name}'`);
    if (t.shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw new TypeError(`${t.name}: invalid shape ${JSON.stringify(t.shape)}`);
    const numel = t.shape.reduce((a, b) => a * b, 1);
    if (numel !== t.data.length) {
      throw new TypeError(`${t.name}: shape ${JSON.stringify(t.shape)} holds ${numel} values, data has ${t.data.length}`);
    }
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + numel * 4] };
    offset += numel * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of sorted) {
    writeF32LE(out, at, t.data);
    at += t.data.length * 4;
  }
  return out;
}

const littleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copy float32 values into `out` at byte `at` as little-endian, bit for bit. */
function writeF32LE(out: Uint8Array, at: number, data: Float32Array): void {
  if (littleEndianHost) {
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), at);
    return;
  }
  const view = new DataView(out.buffer, out.byteOffset);
  for (let i = 0; i < data.length; i++) view.setFloat32(at + 4 * i, data[i], true);
}
