/**
 * word2vec (binary / text), GloVe text or a .tcv store -> a .tcv store, streamed: one pass,
 * memory O(kept words), never O(input). Filters:
 *   top N    keep records 0..N-1 of the input (word2vec and GloVe files are ordered by
 *            frequency, so these are the N most frequent words); reading stops there
 *   vocab    keep only words in the set (e.g. the words of a corpus); "<unk>" always passes
 * Both together keep the vocab words among the first N. Duplicate words keep their first vector.
 */
import { VectorStoreError } from './errors.js';
import { UNK_WORD, type VectorDtype } from './format.js';
import { openVectorReader } from './input/records.js';
import type { InputFormat } from './input/detect.js';
import { StoreWriter, type WriteSummary } from './writer.js';

export interface ConvertProgress {
  /** Input bytes consumed. */
  bytes: number;
  /** Input size, or the byte position where `top` will stop (estimated). */
  totalBytes: number;
  /** Records read / written so far. */
  read: number;
  written: number;
}

export interface ConvertOptions {
  /** Output type; default 'f32'. */
  dtype?: VectorDtype;
  /** Keep only the first N records of the input. */
  top?: number;
  /** Keep only these words. */
  vocab?: ReadonlySet<string>;
  /** Force the input format instead of detecting it. */
  format?: InputFormat | 'auto';
  /** String metadata stored in the output (no timestamps: output stays reproducible). */
  meta?: Record<string, string>;
  /** Called every `progressEvery` records and at the end. */
  onProgress?: (p: ConvertProgress) => void;
  /** Default 2048. */
  progressEvery?: number;
}

export interface ConvertSummary extends WriteSummary {
  format: InputFormat;
  dim: number;
  dtype: VectorDtype;
  /** Records read from the input. */
  read: number;
  /** Records dropped by the vocab filter. */
  filtered: number;
}

/**
 * Converts a vectors file into a store.
 * @param input word2vec / GloVe / .tcv file
 * @param output the .tcv to write (replaced atomically when done)
 * @param options filters, dtype, metadata, progress
 */
export async function convertVectors(input: string, output: string, options: ConvertOptions = {}): Promise<ConvertSummary> {
  const dtype = options.dtype ?? 'f32';
  const top = options.top ?? Infinity;
  if (!(top === Infinity || (Number.isInteger(top) && top >= 0))) {
    throw new VectorStoreError('VECTORS_ARGS', input, `--top must be a non-negative integer, got ${top}`);
  }
  const reader = await openVectorReader(input, options.format ?? 'auto');
  const every = options.progressEvery ?? 2048;
  let writer: StoreWriter | undefined;
  try {
    writer = await StoreWriter.create(output, { dim: reader.dim, dtype, meta: options.meta });
    let read = 0;
    let filtered = 0;
    const total = () => {
      const known = reader.count ?? 0;
      if (top === Infinity || read === 0 || known === 0) return reader.totalBytes;
      return Math.min(reader.totalBytes, Math.ceil((reader.position() / read) * Math.min(top, known)));
    };
    const report = () => options.onProgress?.({ bytes: reader.position(), totalBytes: total(), read, written: writer?.count ?? 0 });
    if (top > 0) {
      for await (const rec of reader.records()) {
        read++;
        if (options.vocab && !options.vocab.has(rec.word) && rec.word !== UNK_WORD) filtered++;
        else if (rec.word !== '') await writer.add(rec.word, rec.vector);
        if (read % every === 0) report();
        if (read >= top) break;
      }
    }
    const summary = await writer.finish();
    options.onProgress?.({ bytes: reader.position(), totalBytes: reader.position(), read, written: summary.count });
    return { ...summary, format: reader.format, dim: reader.dim, dtype, read, filtered };
  } catch (e) {
    await writer?.abort();
    throw e;
  } finally {
    await reader.close();
  }
}
