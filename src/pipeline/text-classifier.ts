/**
 * The sentence classifier (Kim CNN): text -> tokens (the weight file's tokenizer) ->
 * word vectors (a vector store) -> forward -> label and probabilities. Synchronous with
 * the embedded store; `classifyAsync` works with every store (DynamoDB). Scratch comes
 * from the model's RunState: a steady stream of calls reuses the same buffers.
 */
import type { Sentence } from '../backend/backend.js';
import type { Model } from '../model/model.js';
import type { ModelInput } from '../model/registry.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { expectDim, type Embedding, type VectorSource } from '../vectors/store.js';
import { floatsFor, isSyncStore, regionsOf, sentenceOf } from './embed.js';
import { PipelineError } from './errors.js';
import { readRow, type Classification, type PhaseTimings } from './results.js';

/** Options of one classifier call. */
export interface ClassifyOptions {
  /** The name of each text in error messages (default 'text', or 'texts[i]' for a list). */
  readonly fields?: readonly string[];
  /** Filled with the call's time split. */
  readonly timings?: PhaseTimings;
}

/** One call's tokens and vector regions, between tokenizing and the forward pass. */
interface Prepared {
  readonly tokens: string[][];
  readonly buffer: Float32Array;
  readonly regions: Float32Array[];
  readonly start: number;
}

/** Kim CNN as a sentence classifier: a label and class probabilities for a text. */
export class TextClassifier {
  private readonly channels: number;

  /**
   * Use loadTextClassifier() or pipeline('text-classification').
   * @param model    a loaded classification model (Kim CNN)
   * @param vectors  its word-vector store, of the model's width
   * @param tokenize the model's tokenizer
   */
  constructor(
    /** The loaded model (spec, labels, backend flavour, raw forward). */
    readonly model: Model,
    /** Where the word vectors come from. */
    readonly vectors: VectorSource,
    /** Text -> tokens, as the weight file's `tinycnn.tokenizer` says. */
    readonly tokenize: Tokenizer,
  ) {
    if (model.architecture.task !== 'classify-text') {
      throw new PipelineError('WRONG_TASK', model.file, `holds a ${model.architecture.title}, which ranks sentence pairs: load it with loadPairRanker()`);
    }
    expectDim(vectors, model.spec.dim);
    const [slot] = model.architecture.slots(model.spec);
    this.channels = slot.channels;
  }

  /** Class names, index = class id. */
  get labels(): readonly string[] {
    return this.model.spec.labels;
  }

  /**
   * Classifies one text, or a list in one forward pass (the embedded store; see classifyAsync for any store).
   * @param text    a sentence as typed, or a list of them
   * @param options error names, timings
   */
  classify(text: string, options?: ClassifyOptions): Classification;
  classify(texts: readonly string[], options?: ClassifyOptions): Classification[];
  classify(input: string | readonly string[], options: ClassifyOptions = {}): Classification | Classification[] {
    const texts = typeof input === 'string' ? [input] : input;
    const prepared = this.prepare(texts, options);
    try {
      const store = this.syncStore();
      const embeddings = prepared.tokens.map((tokens, i) => store.lookup(tokens, prepared.regions[i]));
      const results = this.finish(texts, prepared, embeddings, options);
      return typeof input === 'string' ? results[0] : results;
    } finally {
      this.model.state.vectors.release(prepared.buffer);
    }
  }

  /** classify() with any vector store (the lookups of a list run concurrently). */
  classifyAsync(text: string, options?: ClassifyOptions): Promise<Classification>;
  classifyAsync(texts: readonly string[], options?: ClassifyOptions): Promise<Classification[]>;
  async classifyAsync(input: string | readonly string[], options: ClassifyOptions = {}): Promise<Classification | Classification[]> {
    const texts = typeof input === 'string' ? [input] : input;
    const prepared = this.prepare(texts, options);
    try {
      const embeddings = await Promise.all(prepared.tokens.map((tokens, i) => this.vectors.embed(tokens, { out: prepared.regions[i] })));
      const results = this.finish(texts, prepared, embeddings, options);
      return typeof input === 'string' ? results[0] : results;
    } finally {
      this.model.state.vectors.release(prepared.buffer);
    }
  }

  /**
   * The allocation-light batch path: out (texts.length, classes) <- the logits of each text,
   * no answer objects (the embedded store).
   */
  logitsInto(out: Float32Array, texts: readonly string[], options: ClassifyOptions = {}): void {
    const prepared = this.prepare(texts, options);
    try {
      const store = this.syncStore();
      const inputs = prepared.tokens.map((tokens, i) => this.input(store.lookup(tokens, prepared.regions[i]), prepared, i));
      this.model.forward(out, inputs);
    } finally {
      this.model.state.vectors.release(prepared.buffer);
    }
  }

  private prepare(texts: readonly string[], options: ClassifyOptions): Prepared {
    const start = performance.now();
    const single = texts.length === 1 && options.fields === undefined;
    const tokens = texts.map((text, i) => this.tokenize(text, options.fields?.[i] ?? (single ? 'text' : `texts[${i}]`)));
    const counts = tokens.map((t) => t.length);
    const dim = this.model.spec.dim;
    const buffer = this.model.state.vectors.take(floatsFor(counts, this.channels, dim));
    return { tokens, buffer, regions: regionsOf(buffer, counts, this.channels, dim), start };
  }

  private input(embedding: Embedding, prepared: Prepared, i: number): ModelInput {
    const sentence: Sentence = sentenceOf(embedding, prepared.regions[i], prepared.tokens[i].length, this.channels, this.model.spec.dim);
    return this.model.architecture.makeInput([sentence]);
  }

  private finish(texts: readonly string[], prepared: Prepared, embeddings: Embedding[], options: ClassifyOptions): Classification[] {
    const inputs = embeddings.map((embedding, i) => this.input(embedding, prepared, i));
    const embedded = performance.now();
    const { state, spec } = this.model;
    state.ensure(texts.length);
    this.model.forward(state.logits, inputs);
    const results = prepared.tokens.map((tokens, b): Classification => {
      const { label, prediction, probabilities, logits } = readRow(state.logits, b, spec.classes, spec.labels);
      return { label, prediction, probabilities, logits, tokens, unknown: embeddings[b].unknown };
    });
    if (options.timings !== undefined) {
      options.timings.embedMs = embedded - prepared.start;
      options.timings.inferenceMs = performance.now() - embedded;
    }
    return results;
  }

  private syncStore() {
    const store = this.vectors;
    if (!isSyncStore(store)) throw new PipelineError('STORE_IS_ASYNC', store.name, 'this vector store answers asynchronously: use classifyAsync()');
    return store;
  }
}
