/**
 * What the paged embedded store needs from its host: positional, synchronous reads of one
 * store file. The engine never opens files itself: the Node adapter gives a file
 * (src/node/file-source.ts), the HTTP store a cache of the byte ranges it fetched
 * (src/vectors/http.ts).
 */

/** A store file, read at positions. */
export interface RandomAccessSource {
  /** For messages: the path or URL. */
  readonly name: string;
  /** The file's size in bytes. */
  readonly size: number;
  /**
   * Reads bytes [pos, pos + len) into buf[off, off + len), or fewer at the end of the file.
   * @returns the bytes read; 0 only at or past the end
   */
  read(buf: Uint8Array, off: number, len: number, pos: number): number;
  /** Releases the file; reads fail afterwards. */
  close(): void;
}
