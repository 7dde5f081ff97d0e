/**
 * A store file over HTTP as a RandomAccessSource: fetched in pages with Range requests,
 * kept once fetched, and read synchronously from memory. Reads are synchronous and fetches
 * are not, so the caller fetches first (`fetchPages`) and reads after; a read of a byte not
 * yet fetched is a bug in the caller, reported as VECTORS_ARGS.
 */
import { VectorStoreError } from './errors.js';
import type { RandomAccessSource } from './source.js';

/** A fetch function (the global one, or a test's). */
export type Fetch = (url: string, init?: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

/** Counters of what went over the network. */
export interface FetchStats {
  /** Range (or whole-file) requests sent. */
  requests: number;
  /** Response body bytes received. */
  bytes: number;
}

export class HttpRangeSource implements RandomAccessSource {
  readonly stats: FetchStats = { requests: 0, bytes: 0 };
  private readonly pages = new Map<number, Uint8Array>(); // page number -> its bytes (pageBytes, the last one shorter)
  private readonly pending = new Map<number, Promise<void>>(); // pages being fetched
  private closed = false;

  /** Use HttpRangeSource.open(). */
  private constructor(
    /** The file's URL. */
    readonly name: string,
    readonly size: number,
    /** The fetch unit, a power of two. */
    readonly pageBytes: number,
    private readonly fetcher: Fetch,
  ) {}

  /**
   * Fetches the first page, which also tells the file's size (Content-Range).
   * @param url       the .tcv file
   * @param pageBytes the fetch unit, a power of two
   * @param fetcher   fetch
   */
  static async open(url: string, pageBytes: number, fetcher: Fetch): Promise<HttpRangeSource> {
    const { body, total } = await rangeRequest(fetcher, url, 0, pageBytes - 1);
    const source = new HttpRangeSource(url, total, pageBytes, fetcher);
    source.stats.requests++;
    source.stats.bytes += body.length;
    source.keep(0, body);
    return source;
  }

  /** Whether every page of bytes [begin, end) is here. */
  has(begin: number, end: number): boolean {
    for (let p = Math.floor(begin / this.pageBytes); p * this.pageBytes < end; p++) if (!this.pages.has(p)) return false;
    return true;
  }

  /**
   * Fetches the pages covering the given byte ranges that are not here yet: one Range
   * request per run of consecutive missing pages, all at once.
   * @param ranges [begin, end) byte ranges
   */
  async fetchPages(ranges: readonly (readonly [number, number])[]): Promise<void> {
    const wanted = new Set<number>();
    for (const [begin, end] of ranges) {
      for (let p = Math.floor(begin / this.pageBytes); p * this.pageBytes < Math.min(end, this.size); p++) wanted.add(p);
    }
    const waits: Promise<void>[] = [];
    const missing: number[] = [];
    for (const p of [...wanted].sort((a, b) => a - b)) {
      if (this.pages.has(p)) continue;
      const inFlight = this.pending.get(p);
      if (inFlight) waits.push(inFlight);
      else missing.push(p);
    }
    for (let i = 0; i < missing.length; ) {
      let j = i;
      while (j + 1 < missing.length && missing[j + 1] === missing[j] + 1) j++;
      const run = this.fetchRun(missing[i], missing[j]);
      for (let k = i; k <= j; k++) this.pending.set(missing[k], run);
      waits.push(run);
      i = j + 1;
    }
    await Promise.all(waits);
  }

  read(buf: Uint8Array, off: number, len: number, pos: number): number {
    if (this.closed) throw new VectorStoreError('VECTORS_ARGS', this.name, 'store is closed');
    const n = Math.max(0, Math.min(len, this.size - pos));
    for (let done = 0; done < n; ) {
      const p = Math.floor((pos + done) / this.pageBytes);
      const page = this.pages.get(p);
      if (page === undefined) throw new VectorStoreError('VECTORS_ARGS', this.name, `bytes at ${pos + done} were read before they were fetched`);
      const at = pos + done - p * this.pageBytes;
      const take = Math.min(n - done, page.length - at);
      buf.set(page.subarray(at, at + take), off + done);
      done += take;
    }
    return n;
  }

  close(): void {
    this.closed = true;
    this.pages.clear();
  }

  /** Pages [first, last] in one Range request. */
  private async fetchRun(first: number, last: number): Promise<void> {
    const begin = first * this.pageBytes;
    const end = Math.min(this.size, (last + 1) * this.pageBytes);
    try {
      const { body, whole } = await rangeRequest(this.fetcher, this.name, begin, end - 1);
      this.stats.requests++;
      this.stats.bytes += body.length;
      if (whole)
        this.keep(0, body); // the server ignored Range: the whole file came
      else if (body.length !== end - begin) throw new VectorStoreError('VECTORS_CORRUPT', this.name, `asked for bytes [${begin}, ${end}), got ${body.length}`);
      else this.keep(begin, body);
    } finally {
      for (let p = first; p <= last; p++) this.pending.delete(p);
    }
  }

  /** Files `bytes` (starting at a page boundary) as pages. */
  private keep(begin: number, bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length; at += this.pageBytes) {
      const p = (begin + at) / this.pageBytes;
      if (!this.pages.has(p)) this.pages.set(p, bytes.subarray(at, Math.min(bytes.length, at + this.pageBytes)));
    }
  }
}

/**
 * GET with `Range: bytes=first-last`. A 206 answer must say which bytes it holds; a 200
 * answer (a server without Range support) is the whole file.
 * @returns the body, the file's total size (Content-Range), and whether the body is the whole file
 */
async function rangeRequest(fetcher: Fetch, url: string, first: number, last: number): Promise<{ body: Uint8Array; total: number; whole: boolean }> {
  let response: Response;
  try {
    response = await fetcher(url, { headers: { Range: `bytes=${first}-${last}` } });
  } catch (e) {
    throw new VectorStoreError('VECTORS_UNAVAILABLE', url, `fetch failed: ${(e as Error).message}`, { cause: e });
  }
  if (response.status === 404) throw new VectorStoreError('VECTORS_NOT_FOUND', url, 'HTTP 404');
  if (response.status !== 206 && response.status !== 200)
    throw new VectorStoreError('VECTORS_UNAVAILABLE', url, `HTTP ${response.status} for bytes ${first}-${last}`);
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status === 200) return { body, total: body.length, whole: true };
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(response.headers.get('content-range') ?? '');
  if (range === null || Number(range[1]) !== first) {
    throw new VectorStoreError('VECTORS_CORRUPT', url, `HTTP 206 with Content-Range "${response.headers.get('content-range')}" for bytes ${first}-${last}`);
  }
  return { body, total: Number(range[3]), whole: false };
}
