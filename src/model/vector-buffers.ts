/**
 * Reusable buffers for the word vectors of one call (part of a model's RunState), so a
 * warm call allocates no ArrayBuffer for them (a per-request backing store is malloc'd
 * outside the JS heap, and under load the churn shows as resident memory).
 * Each call takes its own buffer, so interleaved async calls (a DynamoDB lookup
 * awaits) never share one; large buffers are not kept.
 */

/** Buffers above this many floats (4 MB) are used once and dropped. */
const KEEP_FLOATS = 1 << 20;
/** At most this many idle buffers are kept (one per concurrently running request). */
const KEEP_COUNT = 4;

/** A small pool of word-vector buffers. */
export class VectorBuffers {
  private readonly idle: Float32Array[] = [];

  /**
   * A buffer of at least `floats` floats, the caller's alone until release().
   * @param floats the size needed
   */
  take(floats: number): Float32Array {
    const buffer = this.idle.pop();
    if (buffer !== undefined && buffer.length >= floats) return buffer;
    return new Float32Array(Math.max(floats, Math.min(KEEP_FLOATS, (buffer?.length ?? 0) * 2), 4096));
  }

  /**
   * Gives a buffer back for later requests.
   * @param buffer a buffer from take()
   */
  release(buffer: Float32Array): void {
    if (buffer.length <= KEEP_FLOATS && this.idle.length < KEEP_COUNT) this.idle.push(buffer);
  }
}
