/**
 * One model's scratch, all in one place (llama2.c's RunState): the logits of the last
 * call, the forward pass's intermediate buffers, the sentence lists handed to the
 * backend and the pool of word-vector buffers the pipelines embed into. Sized at load
 * for `batch` inputs, grown (never shrunk) when a call brings a larger batch, and reused
 * by every call, so a steady stream of requests allocates nothing here.
 *
 * The backend keeps its own kernel workspace (the wasm linear memory's scratch region,
 * the TypeScript backend's padded sentence): it is the kernels' memory, shared by every
 * model packed on that backend.
 */
import type { Sentence } from '../backend/backend.js';
import { VectorBuffers } from './vector-buffers.js';

/** A model's scratch buffers (see the module comment). */
export class RunState {
  /** Inputs the buffers hold room for. */
  capacity = 0;
  /** (capacity, classes): the logits of the last call. */
  logits = new Float32Array(0);
  /** buffers[i] is (capacity, widths[i]): the forward pass's intermediate features. */
  readonly buffers: Float32Array[];
  /** sentences[s] lists slot s's sentence of each input of the current call (length = batch). */
  readonly sentences: Sentence[][];
  /** Word-vector buffers for the pipelines: each call takes its own (an async lookup may interleave with another call). */
  readonly vectors = new VectorBuffers();

  /**
   * @param classes logits per input
   * @param widths  floats per input of each intermediate buffer (Architecture.scratchWidths)
   * @param slots   sentences per input
   * @param batch   inputs to size for at load
   */
  constructor(
    private readonly classes: number,
    private readonly widths: readonly number[],
    slots: number,
    batch: number,
  ) {
    this.buffers = widths.map(() => new Float32Array(0));
    this.sentences = Array.from({ length: slots }, () => []);
    this.ensure(batch);
  }

  /** Makes room for `batch` inputs (grows by at least 1.5x, so a slowly rising batch does not grow every call). */
  ensure(batch: number): void {
    if (batch <= this.capacity) return;
    const capacity = Math.max(batch, Math.ceil(this.capacity * 1.5));
    this.logits = new Float32Array(capacity * this.classes);
    this.widths.forEach((width, i) => (this.buffers[i] = new Float32Array(capacity * width)));
    this.capacity = capacity;
  }
}
