/**
 * The request's work, and nothing else: tokenize, look up word vectors (into a
 * reused buffer), one forward pass for the whole batch, softmax. Answers carry castorini's
 * fields (Kim: input, prediction, output; SM: sent1, sent2, score) plus
 * probabilities, label, the tokens and the unknown ones.
 */
import type { KimInput, SmInput } from '../model/input.js';
import type { Sentence } from '../backend/backend.js';
import type { Embedding } from '../vectors/store.js';
import type { KimRequest, SmRequest } from './requests.js';
import type { ServedModel } from './runtime.js';

/** One answered item plus the time spent in each phase (milliseconds). */
export interface Answer {
  readonly items: Record<string, unknown>[];
  /** The request used the batch form: answer {"results": items}. */
  readonly batch: boolean;
  /** Tokenizing and vector lookup. */
  readonly embedMs: number;
  /** Forward pass and softmax. */
  readonly inferenceMs: number;
}

/**
 * Kim CNN on each text of the request.
 * @param served  the loaded Kim model, tokenizer and vectors
 * @param request checked texts
 */
export async function answerKim(served: ServedModel, request: KimRequest): Promise<Answer> {
  const start = performance.now();
  const spec = served.model.spec;
  if (spec.kind !== 'kim') throw new Error('answerKim needs the Kim model');
  const tokens = request.texts.map((text, i) => served.tokenize(text, request.batch ? `inputs[${i}]` : 'input'));
  const row = spec.channels * spec.dim; // floats per token: (channels, tokens, dim) per sentence
  const buffer = served.scratch.take(tokens.reduce((sum, t) => sum + t.length, 0) * row);
  try {
    let offset = 0;
    const regions = tokens.map((t) => buffer.subarray(offset, (offset += t.length * row)));
    const embeddings = await Promise.all(tokens.map((t, i) => served.vectors.embed(t, { out: regions[i] }).then((e) => into(e, regions[i], t.length * spec.dim))));
    const inputs: KimInput[] = regions.map((data, i) => ({ x: channels(data, tokens[i].length, spec.dim, spec.channels) }));
    const embedded = performance.now();
    const predictions = served.model.predictBatch(inputs);
    const done = performance.now();
    const items = predictions.map((p, i) => ({
      input: request.texts[i],
      prediction: p.prediction,
      output: p.logits,
      probabilities: p.probabilities,
      label: p.label,
      tokens: tokens[i],
      unknown_tokens: embeddings[i].unknown,
    }));
    return { items, batch: request.batch, embedMs: embedded - start, inferenceMs: done - embedded };
  } finally {
    served.scratch.release(buffer);
  }
}

/**
 * SM CNN on each question/answer pair of the request.
 * @param served  the loaded SM model, tokenizer and vectors
 * @param request checked pairs
 */
export async function answerSm(served: ServedModel, request: SmRequest): Promise<Answer> {
  const start = performance.now();
  const dim = served.model.spec.dim;
  const at = (i: number, name: string) => (request.batch ? `pairs[${i}].${name}` : name);
  const tokens = request.pairs.map((pair, i) => ({ sent1: served.tokenize(pair.sent1, at(i, 'sent1')), sent2: served.tokenize(pair.sent2, at(i, 'sent2')) }));
  const buffer = served.scratch.take(tokens.reduce((sum, t) => sum + t.sent1.length + t.sent2.length, 0) * dim);
  try {
    let offset = 0;
    const region = (n: number) => buffer.subarray(offset, (offset += n * dim)); // (n, dim)
    const regions = tokens.map((t) => ({ q: region(t.sent1.length), a: region(t.sent2.length) }));
    const embeddings = await Promise.all(
      tokens.map(async (t, i) => ({
        sent1: into(await served.vectors.embed(t.sent1, { out: regions[i].q }), regions[i].q, t.sent1.length * dim),
        sent2: into(await served.vectors.embed(t.sent2, { out: regions[i].a }), regions[i].a, t.sent2.length * dim),
      })),
    );
    const inputs: SmInput[] = regions.map((r, i) => {
      const q: Sentence = { data: r.q, tokens: tokens[i].sent1.length };
      const a: Sentence = { data: r.a, tokens: tokens[i].sent2.length };
      const ext = request.pairs[i].ext;
      return ext === undefined ? { q, a } : { q, a, ext };
    });
    const embedded = performance.now();
    const predictions = served.model.predictBatch(inputs);
    const done = performance.now();
    const items = predictions.map((p, i) => ({
      sent1: request.pairs[i].sent1,
      sent2: request.pairs[i].sent2,
      score: [p.logits],
      prediction: p.prediction,
      probabilities: p.probabilities,
      label: p.label,
      tokens: tokens[i],
      unknown_tokens: { sent1: embeddings[i].sent1.unknown, sent2: embeddings[i].sent2.unknown },
    }));
    return { items, batch: request.batch, embedMs: embedded - start, inferenceMs: done - embedded };
  } finally {
    served.scratch.release(buffer);
  }
}

/** Makes sure the vectors are in `region` (a store may return its own array instead of filling `out`). */
function into(embedding: Embedding, region: Float32Array, floats: number): Embedding {
  if (embedding.matrix !== region) region.set(embedding.matrix.subarray(0, floats));
  return embedding;
}

/**
 * A sentence region whose first (tokens, dim) rows hold the vectors -> the model's
 * (channels, tokens, dim) input. A multichannel Kim CNN (channel 0 non-static, channel 1
 * static in castorini) gets the same vectors in both channels: a vector store holds one set.
 */
function channels(region: Float32Array, tokens: number, dim: number, count: number): Sentence {
  const size = tokens * dim;
  for (let c = 1; c < count; c++) region.copyWithin(c * size, 0, size);
  return { data: region, tokens };
}
