/**
 * CRC-32 for the vector store's checksums, fast from a cold start: the 505-byte wasm module of
 * kernels/wasm/crc32.wat (Liftoff code, no warm-up), else the JS loop of hash.ts (its reference,
 * and the fallback where WebAssembly cannot run). Both give zlib's crc32, bit for bit.
 */
import { CRC32_BASE64 } from '../../kernels/wasm/generated/crc32.js';
import { crc32 as crc32Js } from './hash.js';

interface CrcModule {
  readonly input: Uint8Array; // (inputBytes) the module's input window
  crc32(ptr: number, len: number, prev: number): number;
  readonly ptr: number;
}

// Not named `module`: a bundle that a CommonJS-style wrapper runs (vitest's module runner does)
// would see the wrapper's `module` object there instead of undefined.
let crcModule: CrcModule | null | undefined;

/** The wasm CRC, instantiated on first use; null where it cannot run. */
function wasmCrc(): CrcModule | null {
  if (crcModule !== undefined) return crcModule;
  crcModule = null;
  if (typeof WebAssembly !== 'object') return crcModule;
  try {
    const bytes = base64Bytes(CRC32_BASE64);
    const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as {
      memory: WebAssembly.Memory;
      input: WebAssembly.Global;
      inputBytes: WebAssembly.Global;
      crc32(ptr: number, len: number, prev: number): number;
    };
    const ptr = exports.input.value as number;
    crcModule = { input: new Uint8Array(exports.memory.buffer, ptr, exports.inputBytes.value as number), crc32: exports.crc32, ptr };
  } catch {
    // no usable WebAssembly (a locked-down runtime): the JS loop
  }
  return crcModule;
}

/**
 * CRC-32 (IEEE, as zlib.crc32) of `bytes`, continuable: crc32(b, crc32(a)) == crc32(a ++ b).
 * @param bytes data
 * @param prev the CRC of the preceding data, 0 to start
 */
export function crc32(bytes: Uint8Array, prev = 0): number {
  const wasm = wasmCrc();
  if (wasm === null) return crc32Js(bytes, prev);
  let crc = prev;
  const window = wasm.input.length;
  for (let done = 0; done < bytes.length; done += window) {
    const n = Math.min(window, bytes.length - done);
    wasm.input.set(n === bytes.length ? bytes : bytes.subarray(done, done + n));
    crc = wasm.crc32(wasm.ptr, n, crc);
  }
  return crc >>> 0;
}

function base64Bytes(text: string): Uint8Array {
  const NodeBuffer = (globalThis as { Buffer?: { from(text: string, encoding: 'base64'): Uint8Array } }).Buffer;
  if (NodeBuffer !== undefined) return NodeBuffer.from(text, 'base64');
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}
