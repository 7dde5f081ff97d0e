/**
 * The answer ranker (SM CNN): a question and candidate answers, as typed -> tokens ->
 * word vectors -> [external features] -> forward -> relevance = probability of class 1.
 * Synchronous with the embedded store; the *Async methods work with every store.
 *
 * External features (models trained with ext_feats) come from the pair's `ext` when
 * given, else from the model's feature function (ext-features.ts), else the call fails
 * with PipelineError 'EXT_FEATURES_UNAVAILABLE'.
 */
import type { Model } from '../model/model.js';
import type { Tokenizer } from '../text/tokenizer.js';
import { expectDim, type Embedding, type VectorSource } from '../vectors/store.js';
import { floatsFor, isSyncStore, regionsOf, sentenceOf } from './embed.js';
import { PipelineError } from './errors.js';
import type { ExtFeatureFunction } from './ext-features.js';
import { readRow, type PairScore, type PhaseTimings, type RankedAnswer } from './results.js';

/** One question/answer pair. */
export interface TextPair {
  readonly question: string;
  readonly answer: string;
  /** The pair's external features, for a model trained with them; computed by the model's feature function when omitted. */
  readonly ext?: Float32Array;
}

/** Options of one ranker call. */
export interface RankOptions {
  /** The names of each pair's question and answer in error messages (default 'question' / 'answer', or 'pairs[i].question', ...). */
  readonly fields?: readonly { readonly question: string; readonly answer: string }[];
  /** Filled with the call's time split. */
  readonly timings?: PhaseTimings;
}

/** One call's tokens and vector regions (question i: regions[2i], answer i: regions[2i + 1]). */
interface Prepared {
  readonly tokens: { question: string[]; answer: string[] }[];
  readonly buffer: Float32Array;
  readonly regions: Float32Array[];
  readonly start: number;
}

/** SM CNN as an answer ranker: relevance of answers to a question, from text. */
export class PairRanker {
  /** External features the model takes per pair (castorini's ext_feats: 4), 0 when none. */
  readonly extFeatures: number;

  /**
   * Use loadPairRanker() or pipeline('answer-selection').
   * @param model      a loaded pair model (SM CNN)
   * @param vectors    its word-vector store, of the model's width
   * @param tokenize   the model's tokenizer
   * @param computeExt the model's external-feature function, when it has external features and one is registered
   */
  constructor(
    /** The loaded model (spec, labels, backend flavour, raw forward). */
    readonly model: Model,
    /** Where the word vectors come from. */
    readonly vectors: VectorSource,
    /** Text -> tokens, as the weight file's `tinycnn.tokenizer` says. */
    readonly tokenize: Tokenizer,
    private readonly computeExt?: ExtFeatureFunction,
  ) {
    if (model.architecture.task !== 'rank-pairs') {
      throw new PipelineError(
        'WRONG_TASK',
        model.file,
        `holds a ${model.architecture.title}, which classifies single sentences: load it with loadTextClassifier()`,
      );
    }
    expectDim(vectors, model.spec.dim);
    this.extFeatures = model.architecture.extFeatures(model.spec);
  }

  /** Whether a pair without `ext` can be scored: the model takes no external features, or it has a function for them. */
  get computesExtFeatures(): boolean {
    return this.extFeatures === 0 || this.computeExt !== undefined;
  }

  /** The relevance of an answer to a question (the embedded store). */
  score(question: string, answer: string, ext?: Float32Array): PairScore {
    return this.scorePairs([ext === undefined ? { question, answer } : { question, answer, ext }])[0];
  }

  /** Scores a list of pairs in one forward pass (the embedded store). */
  scorePairs(pairs: readonly TextPair[], options: RankOptions = {}): PairScore[] {
    const prepared = this.prepare(pairs, options);
    try {
      const store = this.vectors;
      if (!isSyncStore(store))
        throw new PipelineError('STORE_IS_ASYNC', store.name, 'this vector store answers asynchronously: use scorePairsAsync() / rankAsync()');
      const embeddings: Embedding[] = [];
      prepared.tokens.forEach((t, i) =>
        embeddings.push(store.lookup(t.question, prepared.regions[2 * i]), store.lookup(t.answer, prepared.regions[2 * i + 1])),
      );
      return this.finish(pairs, prepared, embeddings, options);
    } finally {
      this.model.state.vectors.release(prepared.buffer);
    }
  }

  /** The answers sorted by relevance to the question, most relevant first (the embedded store). */
  rank(question: string, answers: readonly string[]): RankedAnswer[] {
    return sortRanked(answers, this.scorePairs(answers.map((answer) => ({ question, answer }))));
  }

  /** score() with any vector store. */
  async scoreAsync(question: string, answer: string, ext?: Float32Array): Promise<PairScore> {
    return (await this.scorePairsAsync([ext === undefined ? { question, answer } : { question, answer, ext }]))[0];
  }

  /** scorePairs() with any vector store (the lookups run concurrently). */
  async scorePairsAsync(pairs: readonly TextPair[], options: RankOptions = {}): Promise<PairScore[]> {
    const prepared = this.prepare(pairs, options);
    try {
      const lookups: Promise<Embedding>[] = [];
      prepared.tokens.forEach((t, i) => {
        lookups.push(this.vectors.embed(t.question, { out: prepared.regions[2 * i] }), this.vectors.embed(t.answer, { out: prepared.regions[2 * i + 1] }));
      });
      const embeddings = await Promise.all(lookups);
      return this.finish(pairs, prepared, embeddings, options);
    } finally {
      this.model.state.vectors.release(prepared.buffer);
    }
  }

  /** rank() with any vector store. */
  async rankAsync(question: string, answers: readonly string[]): Promise<RankedAnswer[]> {
    return sortRanked(answers, await this.scorePairsAsync(answers.map((answer) => ({ question, answer }))));
  }

  private prepare(pairs: readonly TextPair[], options: RankOptions): Prepared {
    const start = performance.now();
    const single = pairs.length === 1 && options.fields === undefined;
    const tokens = pairs.map((pair, i) => {
      const names =
        options.fields?.[i] ?? (single ? { question: 'question', answer: 'answer' } : { question: `pairs[${i}].question`, answer: `pairs[${i}].answer` });
      const question = this.tokenize(pair.question, names.question);
      const answer = this.tokenize(pair.answer, names.answer);
      if (pair.ext === undefined && !this.computesExtFeatures) {
        throw new PipelineError(
          'EXT_FEATURES_UNAVAILABLE',
          this.model.file,
          `this model takes ${this.extFeatures} external features and its metadata names no function for them (tinycnn.ext_features); pass "ext" with each pair`,
        );
      }
      return { question, answer };
    });
    const counts: number[] = [];
    for (const t of tokens) counts.push(t.question.length, t.answer.length);
    const dim = this.model.spec.dim;
    const buffer = this.model.state.vectors.take(floatsFor(counts, 1, dim));
    return { tokens, buffer, regions: regionsOf(buffer, counts, 1, dim), start };
  }

  /** embeddings: question i at 2i, answer i at 2i + 1. */
  private finish(pairs: readonly TextPair[], prepared: Prepared, embeddings: Embedding[], options: RankOptions): PairScore[] {
    const { architecture, spec } = this.model;
    const inputs = prepared.tokens.map((t, i) => {
      const question = sentenceOf(embeddings[2 * i], prepared.regions[2 * i], t.question.length, 1, spec.dim);
      const answer = sentenceOf(embeddings[2 * i + 1], prepared.regions[2 * i + 1], t.answer.length, 1, spec.dim);
      return architecture.makeInput([question, answer], pairs[i].ext ?? this.externalFeatures(t.question, t.answer));
    });
    const embedded = performance.now();
    const { state } = this.model;
    state.ensure(pairs.length);
    this.model.forward(state.logits, inputs);
    const results = prepared.tokens.map((tokens, b): PairScore => {
      const { label, prediction, probabilities, logits } = readRow(state.logits, b, spec.classes, spec.labels);
      const unknown = { question: embeddings[2 * b].unknown, answer: embeddings[2 * b + 1].unknown };
      return { score: probabilities[1], label, prediction, probabilities, logits, tokens, unknown };
    });
    if (options.timings !== undefined) {
      options.timings.embedMs = embedded - prepared.start;
      options.timings.inferenceMs = performance.now() - embedded;
    }
    return results;
  }

  private externalFeatures(question: string[], answer: string[]): Float32Array | undefined {
    if (this.extFeatures === 0 || this.computeExt === undefined) return undefined;
    const ext = new Float32Array(this.extFeatures); // (extFeatures)
    this.computeExt(question, answer, ext);
    return ext;
  }
}

/**
 * Answers by decreasing relevance: the float32 logit margin l1 - l0 (the order of the
 * probability, without its saturation at 1 for margins past ~37), ties in list order --
 * exactly the order PyTorch's logits give (tinycnn eval checks it on TrecQA TEST).
 */
function sortRanked(answers: readonly string[], scores: PairScore[]): RankedAnswer[] {
  const margin = (s: PairScore) => Math.fround(s.logits[1] - s.logits[0]);
  return scores.map((s, index) => ({ ...s, answer: answers[index], index })).sort((x, y) => margin(y) - margin(x) || x.index - y.index);
}
