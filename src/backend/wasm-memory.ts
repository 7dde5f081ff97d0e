/**
 * The wasm backend's linear memory: packed weights at the bottom, kept for the
 * life of the backend (a bump allocator: a backend's weights are freed all at
 * once, by dropping the instance), and per-call scratch right above them, reused
 * by every call and grown (memory.grow) only when a longer sentence or a larger
 * batch needs more. Growth stops at a cap; past it a call fails with a typed
 * BackendError 'INPUT_TOO_LARGE' before anything is written.
 */
import { BackendError } from '../errors.js';

const PAGE = 65536;
/** Alignment of every region: a cache line, so v128 loads never straddle one at a region's start. */
const ALIGN = 64;
/** wasm32 can address 4 GiB = 65536 pages; no cap may exceed it. */
export const WASM32_MAX_BYTES = 65536 * PAGE;
/** Default cap: 1 GiB, far above a real request (a 2,000-token Kim sentence needs ~2.5 MB). */
export const DEFAULT_MAX_MEMORY_BYTES = 1 << 30;

export class WasmHeap {
  /** Views over the whole memory; replaced after every grow (growing detaches the old buffer). */
  f32!: Float32Array;
  i32!: Int32Array;
  /** End of the permanent (weights) region, in bytes; scratch starts here. */
  private top = ALIGN; // offset 0..63 stays unused, so a zero pointer is never valid data

  /**
   * @param memory   the instance's exported memory
   * @param maxBytes cap on the memory's size, at most WASM32_MAX_BYTES
   * @param backend  name used in error messages ('wasm-simd' / 'wasm-relaxed')
   */
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly maxBytes: number,
    private readonly backend: string,
  ) {
    if (!(maxBytes > 0 && maxBytes <= WASM32_MAX_BYTES)) {
      throw new BackendError(backend, `maxMemoryBytes ${maxBytes} must be in (0, ${WASM32_MAX_BYTES}] (the wasm32 limit)`, 'BAD_OPTION');
    }
    this.refresh();
  }

  /** Current size of linear memory in bytes. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserves `bytes` for the life of the backend (packed weights); returns the byte offset. */
  alloc(bytes: number, what: string): number {
    const at = this.top;
    this.ensure(at + bytes, what);
    this.top = align(at + bytes);
    return at;
  }

  /**
   * Makes `bytes` of scratch available for the current call; returns its byte
   * offset. Scratch is valid until the next call to scratch() or alloc().
   * `what` names the request in an error, with {a} and {b} replaced by a and b
   * (passed as numbers so the call allocates nothing unless it fails).
   */
  scratch(bytes: number, what: string, a = 0, b = 0): number {
    this.ensure(this.top + bytes, what, a, b);
    return this.top;
  }

  /** Grows memory so that [0, end) is addressable, or throws INPUT_TOO_LARGE. */
  private ensure(end: number, what: string, a = 0, b = 0): void {
    if (end <= this.memory.buffer.byteLength) return;
    const request = (): string => what.replace('{a}', String(a)).replace('{b}', String(b));
    if (end > this.maxBytes) {
      throw new BackendError(
        this.backend,
        `${request()} needs ${mib(end)} of wasm memory, more than the cap of ${mib(this.maxBytes)}; split the batch or shorten the input`,
        'INPUT_TOO_LARGE',
      );
    }
    const have = this.memory.buffer.byteLength;
    // grow geometrically (x1.5) so a slowly rising size does not grow on every call
    const target = Math.min(Math.max(end, Math.floor(have * 1.5)), this.maxBytes);
    try {
      this.memory.grow(Math.ceil((target - have) / PAGE));
    } catch (error) {
      throw new BackendError(
        this.backend,
        `${request()} needs ${mib(end)} of wasm memory and the runtime refused to grow it (${(error as Error).message})`,
        'INPUT_TOO_LARGE',
      );
    }
    this.refresh();
  }

  private refresh(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }
}

/** Rounds a byte offset up to the region alignment. */
export function align(bytes: number): number {
  return Math.ceil(bytes / ALIGN) * ALIGN;
}

function mib(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MiB`;
}
