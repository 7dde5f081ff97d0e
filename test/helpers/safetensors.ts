/**
 * Builds safetensors bytes by hand for tests, including broken ones: the
 * header object and the data section are taken as given, unchecked.
 */
export interface RawTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** 8-byte LE length + JSON header (space-padded to 8) + data. `headerLength` overrides the written length. */
export function rawSafetensors(header: Record<string, unknown>, data: Uint8Array, headerLength?: number): Uint8Array {
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += ' ';
  const headerBytes = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + headerBytes.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength ?? headerBytes.length), true);
  bytes.set(headerBytes, 8);
  bytes.set(data, 8 + headerBytes.length);
  return bytes;
}

/** A well-formed file: tensors laid out back to back in the order given. */
export function encodeTensors(tensors: RawTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const data = new Uint8Array(offset);
  offset = 0;
  for (const t of tensors) {
    data.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), offset);
    offset += t.data.byteLength;
  }
  return rawSafetensors(header, data);
}
