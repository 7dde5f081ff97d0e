/**
 * Buffered sequential reads from a file of any size (a 3.6 GB GoogleNews file streams
 * through a 4 MiB window). Async, so progress bars get to redraw between reads.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { VectorStoreError } from '../errors.js';

export class ByteSource {
  /** (capacity) buffered window; valid bytes are buf[start, end) */
  buf: Uint8Array;
  start = 0;
  end = 0;
  /** File position of buf[0]. */
  private base = 0;
  private eof = false;

  private constructor(
    /** File name, for errors. */
    readonly name: string,
    private readonly fh: FileHandle,
    /** File size in bytes. */
    readonly size: number,
    capacity: number,
  ) {
    this.buf = new Uint8Array(capacity);
  }

  /**
   * Opens a file for sequential reading.
   * @param path the file
   * @param capacity initial window size (default 4 MiB; grows for longer records)
   */
  static async open(path: string, capacity = 1 << 22): Promise<ByteSource> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (e) {
      throw new VectorStoreError('VECTORS_NOT_FOUND', path, `cannot open: ${(e as Error).message}`, { cause: e });
    }
    const size = (await fh.stat()).size;
    return new ByteSource(path, fh, size, capacity);
  }

  /** Bytes consumed so far (file position of buf[start]). */
  get position(): number {
    return this.base + this.start;
  }

  /** Bytes available in the window. */
  get available(): number {
    return this.end - this.start;
  }

  /**
   * Makes at least n bytes available at buf[start]; false when the file ends first.
   * @param n bytes wanted
   */
  async ensure(n: number): Promise<boolean> {
    while (this.end - this.start < n) {
      if (this.eof) return false;
      if (this.start > 0) {
        this.buf.copyWithin(0, this.start, this.end);
        this.base += this.start;
        this.end -= this.start;
        this.start = 0;
      }
      if (n > this.buf.length || this.end === this.buf.length) {
        const bigger = new Uint8Array(Math.max(n, this.buf.length * 2));
        bigger.set(this.buf.subarray(0, this.end));
        this.buf = bigger;
      }
      const { bytesRead } = await this.fh.read(this.buf, this.end, this.buf.length - this.end, this.base + this.end);
      if (bytesRead === 0) this.eof = true;
      this.end += bytesRead;
    }
    return true;
  }

  /**
   * Index (in buf) of the next `byte` at or after buf[start], reading ahead as needed;
   * -1 at end of file, or when more than `limit` bytes pass without one.
   */
  async find(byte: number, limit: number): Promise<number> {
    let from = this.start;
    for (;;) {
      const i = this.buf.indexOf(byte, from);
      if (i >= 0 && i < this.end) return i;
      if (this.end - this.start > limit) return -1;
      const scanned = this.end - this.start;
      if (!(await this.ensure(scanned + 1))) return -1;
      from = this.start + scanned;
    }
  }

  /** Next line without its '\n' / '\r\n' (a view, valid until the next read), or null at EOF. */
  async readLine(limit = 1 << 26): Promise<Uint8Array | null> {
    if (!(await this.ensure(1))) return null;
    const nl = await this.find(0x0a, limit);
    let lineEnd: number;
    let next: number;
    if (nl >= 0) {
      lineEnd = nl;
      next = nl + 1;
    } else {
      if (this.end - this.start > limit) {
        throw new VectorStoreError('VECTORS_INPUT_INVALID', this.name, `line at byte ${this.position} is longer than ${limit} bytes`);
      }
      lineEnd = next = this.end; // last line without '\n'
    }
    if (lineEnd > this.start && this.buf[lineEnd - 1] === 0x0d) lineEnd--;
    const line = this.buf.subarray(this.start, lineEnd);
    this.start = next;
    return line;
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
