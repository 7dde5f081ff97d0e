/**
 * Streams (word, vector) records out of any supported vectors file (see detect.ts), one at a
 * time, in file order. Memory: the read window plus one vector.
 */
import { VectorStoreError } from '../errors.js';
import { openEmbeddedStore } from '../../node/files.js';
import { ByteSource } from './bytes.js';
import { sniffFormat, type InputFormat } from './detect.js';

export interface VectorRecord {
  /** 0-based position in the file. */
  index: number;
  word: string;
  /** (dim) the values as read (f64: text values keep their precision). Reused: copy it before the next record. */
  vector: Float64Array;
}

export interface VectorReader {
  readonly path: string;
  readonly format: InputFormat;
  readonly dim: number;
  /** Words in the file when it says (word2vec header, tcv), else undefined. */
  readonly count: number | undefined;
  /** File size, for progress. */
  readonly totalBytes: number;
  /** Bytes consumed so far, for progress. */
  position(): number;
  /** The records, in order. Iterate once. */
  records(): AsyncGenerator<VectorRecord>;
  close(): Promise<void>;
}

const MAX_WORD_BYTES = 1 << 16;

/**
 * Opens a vectors file for streaming.
 * @param path word2vec binary / text, GloVe text, or a .tcv store
 * @param format force a format instead of detecting it
 */
export async function openVectorReader(path: string, format: InputFormat | 'auto' = 'auto'): Promise<VectorReader> {
  const sniffed = await sniffFormat(path, format);
  if (sniffed.format === 'tcv') return tcvReader(path);
  const src = await ByteSource.open(path);
  const { dim, count } = sniffed;
  const records = sniffed.format === 'word2vec-bin' ? binaryRecords(src, dim, count ?? 0) : textRecords(src, dim, count, sniffed.format === 'glove');
  return {
    path,
    format: sniffed.format,
    dim,
    count,
    totalBytes: src.size,
    position: () => src.position,
    records: () => records,
    close: () => src.close(),
  };
}

function truncated(src: ByteSource, got: number, want: number): VectorStoreError {
  return new VectorStoreError('VECTORS_INPUT_INVALID', src.name, `truncated: header promises ${want} words, file ends after ${got}`);
}

async function* binaryRecords(src: ByteSource, dim: number, count: number): AsyncGenerator<VectorRecord> {
  await src.readLine(1024); // "COUNT DIM"
  const decoder = new TextDecoder();
  const vector = new Float64Array(dim);
  const rowBytes = 4 * dim;
  const scratch = new Uint8Array(rowBytes); // aligned copy of one row
  const row = new Float32Array(scratch.buffer);
  for (let index = 0; index < count; index++) {
    // the original writer ends each vector with '\n'; some writers do not
    while ((await src.ensure(1)) && (src.buf[src.start] === 0x0a || src.buf[src.start] === 0x0d)) src.start++;
    if (src.available === 0) throw truncated(src, index, count);
    const sp = await src.find(0x20, MAX_WORD_BYTES);
    if (sp < 0) {
      if (src.available <= MAX_WORD_BYTES) throw truncated(src, index, count);
      throw new VectorStoreError(
        'VECTORS_INPUT_INVALID',
        src.name,
        `record ${index} at byte ${src.position}: no space after the word within ${MAX_WORD_BYTES} bytes (not word2vec binary?)`,
      );
    }
    const word = decoder.decode(src.buf.subarray(src.start, sp));
    src.start = sp + 1;
    if (!(await src.ensure(rowBytes))) throw truncated(src, index, count);
    scratch.set(src.buf.subarray(src.start, src.start + rowBytes));
    src.start += rowBytes;
    for (let j = 0; j < dim; j++) vector[j] = row[j];
    yield { index, word, vector };
  }
}

async function* textRecords(src: ByteSource, dim: number, count: number | undefined, glove: boolean): AsyncGenerator<VectorRecord> {
  if (!glove) await src.readLine(1024); // "COUNT DIM"
  const decoder = new TextDecoder();
  const vector = new Float64Array(dim);
  let lineNo = glove ? 0 : 1;
  let index = 0;
  for (;;) {
    if (count !== undefined && index >= count) return;
    const bytes = await src.readLine();
    if (bytes === null) break;
    lineNo++;
    const line = decoder.decode(bytes).trimEnd();
    if (line === '') continue;
    const fields = line.split(' ');
    const nw = fields.length - dim; // fields of the word (GloVe 840B has words with spaces)
    if (nw < 1) {
      throw new VectorStoreError('VECTORS_INPUT_INVALID', src.name, `line ${lineNo}: ${fields.length - 1} values after the word, expected ${dim}`);
    }
    for (let j = 0; j < dim; j++) {
      const f = fields[nw + j];
      const x = Number(f);
      if (f === '' || !Number.isFinite(x)) {
        throw new VectorStoreError('VECTORS_INPUT_INVALID', src.name, `line ${lineNo}: value ${j + 1} ${JSON.stringify(f)} is not a finite number`);
      }
      vector[j] = x;
    }
    const word = nw === 1 ? fields[0] : fields.slice(0, nw).join(' ');
    yield { index: index++, word, vector };
  }
  if (count !== undefined && index < count) throw truncated(src, index, count);
}

async function tcvReader(path: string): Promise<VectorReader> {
  const store = openEmbeddedStore(path, { cacheBytes: 0 }); // sequential scan: 4 recycled pages, no cache
  let done = 0;
  const rowBytes = store.header.fileBytes > 0 ? (store.header.tableOffset - store.header.vectorsOffset) / Math.max(1, store.size) : 0;
  async function* records(): AsyncGenerator<VectorRecord> {
    const f32 = new Float32Array(store.dim);
    const vector = new Float64Array(store.dim);
    for (let index = 0; index < store.size; index++) {
      store.vectorAt(index, f32);
      vector.set(f32);
      done = index + 1;
      yield { index, word: store.wordAt(index), vector };
    }
  }
  const it = records();
  return {
    path,
    format: 'tcv',
    dim: store.dim,
    count: store.size,
    totalBytes: store.header.fileBytes,
    position: () => store.header.vectorsOffset + done * rowBytes,
    records: () => it,
    close: async () => store.close(),
  };
}
