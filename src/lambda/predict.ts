/**
 * The request's work, and nothing else: tokenize, look up word vectors,
 * one forward pass for the whole batch, softmax. Answers carry castorini's
 * fields (Kim: input, prediction, output; SM: sent1, sent2, score) plus
 * probabilities, label, the tokens and the unknown ones.
 */
import type { KimInput, SmInput } from '../model/input.js';
import type { Sentence } from '../backend/backend.js';
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
  const embeddings = await Promise.all(tokens.map((t) => served.vectors.embed(t)));
  const inputs: KimInput[] = embeddings.map((e, i) => ({ x: channels(e.matrix, tokens[i].length, spec.dim, spec.channels) }));
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
}

/**
 * SM CNN on each question/answer pair of the request.
 * @param served  the loaded SM model, tokenizer and vectors
 * @param request checked pairs
 */
export async function answerSm(served: ServedModel, request: SmRequest): Promise<Answer> {
  const start = performance.now();
  const at = (i: number, name: string) => (request.batch ? `pairs[${i}].${name}` : name);
  const tokens = request.pairs.map((pair, i) => ({ sent1: served.tokenize(pair.sent1, at(i, 'sent1')), sent2: served.tokenize(pair.sent2, at(i, 'sent2')) }));
  const embeddings = await Promise.all(tokens.map(async (t) => ({ sent1: await served.vectors.embed(t.sent1), sent2: await served.vectors.embed(t.sent2) })));
  const inputs: SmInput[] = embeddings.map((e, i) => {
    const q: Sentence = { data: e.sent1.matrix, tokens: tokens[i].sent1.length };
    const a: Sentence = { data: e.sent2.matrix, tokens: tokens[i].sent2.length };
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
}

/**
 * (tokens, dim) vectors -> the model's (channels, tokens, dim) input. A multichannel Kim CNN
 * (channel 0 non-static, channel 1 static in castorini) gets the same vectors in both
 * channels: a vector store holds one set.
 */
function channels(matrix: Float32Array, tokens: number, dim: number, count: number): Sentence {
  const size = tokens * dim;
  const rows = matrix.length === size ? matrix : matrix.subarray(0, size);
  if (count === 1) return { data: rows, tokens };
  const data = new Float32Array(count * size); // (channels, tokens, dim)
  for (let c = 0; c < count; c++) data.set(rows, c * size);
  return { data, tokens };
}
