/**
 * A .tcv store read over HTTP, for browsers and any runtime with fetch: the file is never
 * downloaded whole. At open, the header page and the index region (hash table, word offsets,
 * row checksums, words: ~0.4 MB for the shipped 16k-word Kim store) come in two Range
 * requests and the index is checked against its page checksums; on each lookup, the pages of
 * the vector rows the tokens need that are not here yet come in one Range request per run of
 * consecutive pages, and each row is checked against its CRC on first use, as the embedded
 * store does. The lookups themselves are the embedded store's (src/vectors/embedded.ts),
 * reading a page cache (src/vectors/http-source.ts).
 *
 *   const store = await openHttpVectorStore('https://example.com/weights/kim-sst2.tcv');
 *   const { matrix } = await store.embed(['a', 'gripping', 'film']);
 */
import { openEmbeddedStore, type EmbeddedStore } from './embedded.js';
import { decodeHeader, dtypeBytes, HEADER_BYTES } from './format.js';
import { HttpRangeSource, type Fetch, type FetchStats } from './http-source.js';
import { VectorStoreError } from './errors.js';
import type { EmbedOptions, Embedding, VectorSource } from './store.js';

/** How to open a store over HTTP; every field is optional. */
export interface HttpStoreOptions {
  /** The fetch to use (default: the global one). */
  fetch?: Fetch;
  /** The fetch unit in bytes, a power of two from 512 to 16384 (default 2048: three 300-d f16 rows). */
  pageBytes?: number;
  /** Largest index region fetched at open (default 64 MiB); a bigger store is refused. */
  maxIndexBytes?: number;
}

/**
 * Opens a .tcv store over HTTP (see the module comment).
 * @param url     the .tcv file; the server must answer Range requests (a 200 answer with the whole file works too, and costs the whole file)
 * @param options fetch, page size, index limit
 */
export async function openHttpVectorStore(url: string, options: HttpStoreOptions = {}): Promise<HttpVectorStore> {
  const pageBytes = options.pageBytes ?? 2048;
  if (!(pageBytes >= 512 && pageBytes <= 16384 && (pageBytes & (pageBytes - 1)) === 0)) {
    throw new VectorStoreError('VECTORS_ARGS', url, `pageBytes ${pageBytes} is not a power of two from 512 to 16384`);
  }
  const fetcher: Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const source = await HttpRangeSource.open(url, pageBytes, fetcher);
  const head = new Uint8Array(Math.min(HEADER_BYTES, source.size));
  source.read(head, 0, head.length, 0);
  const { tableOffset } = decodeHeader(head, source.size, url); // checks the header and where the index region lies
  const indexBytes = source.size - tableOffset;
  const limit = options.maxIndexBytes ?? 64 * 2 ** 20;
  if (indexBytes > limit)
    throw new VectorStoreError('VECTORS_ARGS', url, `its index is ${indexBytes} bytes, over maxIndexBytes ${limit}: serve this store from a server-side host`);
  await source.fetchPages([[tableOffset, source.size]]);
  const store = openEmbeddedStore(source, { name: url, residentIndexBytes: indexBytes, pageBytes, cacheBytes: Number.MAX_SAFE_INTEGER });
  return new HttpVectorStore(store, source, { ...source.stats });
}

/** A word-vector store over HTTP: asynchronous lookups (`embed`); counts what it fetched. */
export class HttpVectorStore implements VectorSource {
  readonly name: string;
  readonly dim: number;
  /** Number of words. */
  readonly size: number;
  private readonly rowBytes: number;

  /** Use openHttpVectorStore(). */
  constructor(
    private readonly store: EmbeddedStore,
    private readonly source: HttpRangeSource,
    /** What the open fetched: the header page and the index region. */
    readonly opened: Readonly<FetchStats>,
  ) {
    this.name = store.name;
    this.dim = store.dim;
    this.size = store.size;
    this.rowBytes = store.dim * dtypeBytes(store.dtype);
  }

  /** Requests and body bytes fetched so far, the open included. */
  get fetched(): Readonly<FetchStats> {
    return { ...this.source.stats };
  }

  /** The file's size: what a whole download would cost. */
  get fileBytes(): number {
    return this.source.size;
  }

  /**
   * Fetches the rows of the tokens not fetched yet, then looks them up.
   * @param tokens  the tokens (duplicates allowed)
   * @param options output buffer, abort signal
   */
  async embed(tokens: readonly string[], options: EmbedOptions = {}): Promise<Embedding> {
    if (options.signal?.aborted) throw new VectorStoreError('VECTORS_ABORTED', this.name, 'aborted by the caller');
    const { vectorsOffset } = this.store.header;
    const ranges: [number, number][] = [];
    let unknown = false;
    for (const token of tokens) {
      const row = this.store.indexOf(token);
      if (row < 0) unknown = true;
      else ranges.push([vectorsOffset + row * this.rowBytes, vectorsOffset + (row + 1) * this.rowBytes]);
    }
    if (unknown && this.store.unkRow >= 0)
      ranges.push([vectorsOffset + this.store.unkRow * this.rowBytes, vectorsOffset + (this.store.unkRow + 1) * this.rowBytes]);
    await this.source.fetchPages(ranges);
    if (options.signal?.aborted) throw new VectorStoreError('VECTORS_ABORTED', this.name, 'aborted by the caller');
    return this.store.lookup(tokens, options.out);
  }

  close(): void {
    this.store.close();
  }
}
