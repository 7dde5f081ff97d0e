// The pipelines against an independent composition of the same steps: tokenize() with the
// file's mode -> the embedded store's lookup -> loadModel(...).predict() on the js backend.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  loadModel,
  loadPairRanker,
  loadTextClassifier,
  pipeline,
  PipelineError,
  registerExtFeatures,
  SHIPPED_MODELS,
  tokenize,
  type Embedding,
  type TokenizerMode,
  type ModelInput,
  type VectorSource,
} from '../../src/node/index.js';
import { extFeaturesFromMetadata } from '../../src/pipeline/ext-features.js';
import { readSafetensors } from '../../src/safetensors/read.js';
import { encodeSafetensors } from '../../src/safetensors/write.js';
import { openEmbeddedStore } from '../../src/node/files.js';
import { repoRoot } from '../helpers/paths.js';

const KIM = SHIPPED_MODELS.kim;
const SM = SHIPPED_MODELS.sm;
const at = (file: string) => join(repoRoot, file);

/**
 * The same steps by hand, on the js backend: tokens, vectors, Model.predict; an SM model's
 * external features, when not given, from the function its metadata names.
 */
function byHand(weights: string, vectors: string, texts: string[], ext?: Float32Array) {
  const model = loadModel(at(weights), { backend: 'js' });
  const mode = model.metadata['tinycnn.tokenizer'] as TokenizerMode;
  const store = openEmbeddedStore(at(vectors));
  const sentences = texts.map((text) => {
    const tokens = tokenize(text, { mode });
    const { matrix, unknown } = store.lookup(tokens);
    return { tokens, unknown, sentence: { data: matrix, tokens: tokens.length } };
  });
  const features = extFeaturesFromMetadata(model.metadata, weights);
  if (sentences.length === 2 && ext === undefined && features !== undefined) {
    ext = new Float32Array(4); // (4)
    features(sentences[0].tokens, sentences[1].tokens, ext);
  }
  const input = (
    sentences.length === 1 ? { x: sentences[0].sentence } : { q: sentences[0].sentence, a: sentences[1].sentence, ...(ext ? { ext } : {}) }
  ) as ModelInput;
  return { ...model.predict(input), sentences };
}

const close = (actual: readonly number[], expected: readonly number[]) => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => expect(Math.abs(v - expected[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(expected[i]))));
};

describe("pipeline('sentiment-analysis'): the shipped Kim CNN with no paths", () => {
  const classifier = pipeline('sentiment-analysis');
  const texts = ['A gripping, funny film!', "it isn't good", 'zzqx unknownword movie'];

  it('answers text with label, probabilities, logits, tokens and unknown words, as the steps by hand do', () => {
    for (const text of texts) {
      const result = classifier.classify(text);
      const reference = byHand(KIM.weights, KIM.vectors, [text]);
      close(result.logits, reference.logits);
      close(result.probabilities, reference.probabilities);
      expect(result.label).toBe(reference.label);
      expect(result.label).toBe(classifier.labels[result.prediction]);
      expect(result.tokens).toEqual(reference.sentences[0].tokens);
      expect(result.unknown).toEqual(reference.sentences[0].unknown);
    }
    expect(classifier.classify('zzqx unknownword movie').unknown).toContain('zzqx');
  });

  it('a list is one forward pass with the same answers; classifyAsync and logitsInto agree', async () => {
    const batch = classifier.classify(texts);
    const asyncBatch = await classifier.classifyAsync(texts);
    const classes = classifier.labels.length;
    const out = new Float32Array(texts.length * classes); // (batch, classes)
    classifier.logitsInto(out, texts);
    texts.forEach((text, b) => {
      const single = classifier.classify(text);
      close(batch[b].logits, single.logits);
      close(asyncBatch[b].logits, single.logits);
      close(Array.from(out.subarray(b * classes, (b + 1) * classes)), single.logits);
    });
  });

  it('reuses its run state: a steady stream of calls allocates no new scratch', () => {
    classifier.classify(texts);
    const { state } = classifier.model;
    const [logits, features] = [state.logits, state.buffers[0]];
    for (let i = 0; i < 5; i++) classifier.classify(texts);
    expect(state.logits).toBe(logits);
    expect(state.buffers[0]).toBe(features);
  });

  it('names the text in tokenizer errors, and fills timings when asked', () => {
    expect(() => classifier.classify(['fine', '\u200b'])).toThrow(/texts\[1\]: no tokens/);
    const timings = { embedMs: -1, inferenceMs: -1 };
    classifier.classify('fine', { timings });
    expect(timings.embedMs).toBeGreaterThanOrEqual(0);
    expect(timings.inferenceMs).toBeGreaterThan(0);
  });
});

describe("pipeline('answer-selection'): the shipped SM CNN", () => {
  const ranker = pipeline('answer-selection');
  const question = 'who wrote hamlet ?';
  const answers = ['shakespeare wrote hamlet .', 'it rained all day .', 'hamlet is a play by shakespeare .'];

  it('scores a pair as the steps by hand do: score = probability of class 1', () => {
    const result = ranker.score(question, answers[0]);
    const reference = byHand(SM.weights, SM.vectors, [question, answers[0]]);
    close(result.logits, reference.logits);
    expect(result.score).toBeCloseTo(reference.probabilities[1], 6);
    expect(result.tokens).toEqual({ question: reference.sentences[0].tokens, answer: reference.sentences[1].tokens });
  });

  it('ranks answers by score, most relevant first, keeping each answer and its index', async () => {
    const ranked = ranker.rank(question, answers);
    expect(ranked.map((r) => r.index).sort()).toEqual([0, 1, 2]);
    for (let i = 1; i < ranked.length; i++) expect(ranked[i - 1].score).toBeGreaterThanOrEqual(ranked[i].score);
    for (const r of ranked) {
      expect(r.answer).toBe(answers[r.index]);
      expect(r.score).toBeCloseTo(ranker.score(question, r.answer).score, 6);
    }
    expect((await ranker.rankAsync(question, answers)).map((r) => r.index)).toEqual(ranked.map((r) => r.index));
  });
});

/** sm-ext.safetensors (4 external features) with its metadata plus `extra`, as bytes. */
function smExtWith(extra: Record<string, string>): Uint8Array {
  const file = readSafetensors(readFileSync(at('test/golden/sm-ext.safetensors')), 'sm-ext');
  const tensors = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data }));
  return encodeSafetensors(tensors, { ...file.metadata, ...extra });
}

describe('SM CNN with external features: one function chosen at load from the metadata', () => {
  const vectors = at(SM.vectors);

  it('without a feature spec: ranking text is a typed error, an explicit ext still works', () => {
    const ranker = loadPairRanker({ weights: at('test/golden/sm-ext.safetensors'), vectors });
    expect(ranker.computesExtFeatures).toBe(false);
    expect(() => ranker.rank('a question', ['an answer'])).toThrow(expect.objectContaining({ code: 'EXT_FEATURES_UNAVAILABLE' }));
    const ext = Float32Array.of(0.5, 0.25, 1, 0);
    const reference = byHand('test/golden/sm-ext.safetensors', SM.vectors, ['a question', 'an answer'], ext);
    close(ranker.score('a question', 'an answer', ext).logits, reference.logits);
  });

  it('with one: the registered function gets both token lists, and its features go into the model', () => {
    const calls: [readonly string[], readonly string[]][] = [];
    registerExtFeatures('test-overlap', (settings) => (q, a, out) => {
      calls.push([q, a]);
      const shared = q.filter((t) => a.includes(t)).length;
      out.set([shared, shared / q.length, Number(settings.scale), 0]);
    });
    const ranker = loadPairRanker({ weights: smExtWith({ 'tinycnn.ext_features': '{"name": "test-overlap", "scale": 2}' }), vectors });
    expect(ranker.computesExtFeatures).toBe(true);
    const result = ranker.score('who wrote hamlet', 'shakespeare wrote hamlet');
    expect(calls).toEqual([
      [
        ['who', 'wrote', 'hamlet'],
        ['shakespeare', 'wrote', 'hamlet'],
      ],
    ]);
    const reference = byHand('test/golden/sm-ext.safetensors', SM.vectors, ['who wrote hamlet', 'shakespeare wrote hamlet'], Float32Array.of(2, 2 / 3, 2, 0));
    close(result.logits, reference.logits);
  });

  it('a feature spec naming an unregistered function fails at load', () => {
    expect(() => loadPairRanker({ weights: smExtWith({ 'tinycnn.ext_features': '{"name": "nobody"}' }), vectors })).toThrow(
      expect.objectContaining({ code: 'EXT_FEATURES_UNKNOWN' }),
    );
  });
});

describe('loading', () => {
  it('a weight file with no vectors given gets the shipped store of its width', () => {
    const classifier = loadTextClassifier({ weights: at('test/golden/kim-multichannel.safetensors') });
    expect(classifier.vectors.dim).toBe(300);
    const result = classifier.classify('a fine film');
    expect(result.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(() => loadTextClassifier({ weights: at('test/golden/kim-odd.safetensors') })).toThrow(/no shipped word vectors are 13-d/);
  });

  it('refuses the wrong task, an unknown model, and sync calls on an async-only store', async () => {
    expect(() => loadTextClassifier({ model: 'sm' })).toThrow(expect.objectContaining({ code: 'WRONG_TASK' }));
    expect(() => loadPairRanker({ model: 'kim' })).toThrow(expect.objectContaining({ code: 'WRONG_TASK' }));
    expect(() => pipeline('text-classification', 'nope' as 'kim')).toThrow(PipelineError);
    const store = openEmbeddedStore(at(KIM.vectors));
    const asyncOnly: VectorSource = {
      name: 'async-only',
      dim: store.dim,
      embed: (tokens, options): Promise<Embedding> => store.embed(tokens, options),
      close: () => store.close(),
    };
    const classifier = loadTextClassifier({ vectors: asyncOnly });
    expect(() => classifier.classify('fine')).toThrow(expect.objectContaining({ code: 'STORE_IS_ASYNC' }));
    close((await classifier.classifyAsync('a fine film')).logits, pipeline('sentiment-analysis').classify('a fine film').logits);
  });
});
