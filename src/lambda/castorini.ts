/**
 * A checked request -> the library's pipeline -> castorini's JSON fields. This is the
 * whole of the function's own request work: Kim answers carry castorini's input,
 * prediction and output (the logits), SM answers sent1, sent2 and score ([[l0, l1]]),
 * both plus probabilities, label, the tokens and the unknown ones.
 */
import { isSyncStore } from '../pipeline/embed.js';
import type { PairRanker } from '../pipeline/pair-ranker.js';
import type { PhaseTimings } from '../pipeline/results.js';
import type { TextClassifier } from '../pipeline/text-classifier.js';
import type { KimRequest, SmRequest } from './requests.js';

/** Field names of a single-item request, for error messages (made once). */
const KIM_SINGLE = ['input'];
const SM_SINGLE = [{ question: 'sent1', answer: 'sent2' }];

/** The answered items plus the time spent in each phase (milliseconds). */
export interface Answer {
  readonly items: Record<string, unknown>[];
  /** The request used the batch form: answer {"results": items}. */
  readonly batch: boolean;
  /** Tokenizing and vector lookup. */
  readonly embedMs: number;
  /** Forward pass and softmax. */
  readonly inferenceMs: number;
  /** Tokens over all texts of the request, and how many of them have no vector. */
  readonly tokens: number;
  readonly unknownTokens: number;
}

/**
 * Kim CNN on each text of the request, in one forward pass.
 * @param classifier the served sentence classifier
 * @param request    checked texts
 */
export async function answerKim(classifier: TextClassifier, request: KimRequest): Promise<Answer> {
  const timings: PhaseTimings = { embedMs: 0, inferenceMs: 0 };
  const fields = request.batch ? request.texts.map((_, i) => `inputs[${i}]`) : KIM_SINGLE;
  // the embedded store answers at once: no promise per text
  const results = isSyncStore(classifier.vectors)
    ? classifier.classify(request.texts, { fields, timings })
    : await classifier.classifyAsync(request.texts, { fields, timings });
  const items = results.map((r, i) => ({
    input: request.texts[i],
    prediction: r.prediction,
    output: r.logits,
    probabilities: r.probabilities,
    label: r.label,
    tokens: r.tokens,
    unknown_tokens: r.unknown,
  }));
  let tokens = 0;
  let unknownTokens = 0;
  for (const r of results) {
    tokens += r.tokens.length;
    unknownTokens += r.unknown.length;
  }
  return { items, batch: request.batch, ...timings, tokens, unknownTokens };
}

/**
 * SM CNN on each question/answer pair of the request, in one forward pass.
 * @param ranker  the served answer ranker
 * @param request checked pairs
 */
export async function answerSm(ranker: PairRanker, request: SmRequest): Promise<Answer> {
  const timings: PhaseTimings = { embedMs: 0, inferenceMs: 0 };
  const fields = request.batch ? request.pairs.map((_, i) => ({ question: `pairs[${i}].sent1`, answer: `pairs[${i}].sent2` })) : SM_SINGLE;
  const pairs = request.pairs.map((p) => (p.ext === undefined ? { question: p.sent1, answer: p.sent2 } : { question: p.sent1, answer: p.sent2, ext: p.ext }));
  const results = isSyncStore(ranker.vectors) ? ranker.scorePairs(pairs, { fields, timings }) : await ranker.scorePairsAsync(pairs, { fields, timings });
  const items = results.map((r, i) => ({
    sent1: request.pairs[i].sent1,
    sent2: request.pairs[i].sent2,
    score: [r.logits],
    prediction: r.prediction,
    probabilities: r.probabilities,
    label: r.label,
    tokens: { sent1: r.tokens.question, sent2: r.tokens.answer },
    unknown_tokens: { sent1: r.unknown.question, sent2: r.unknown.answer },
  }));
  let tokens = 0;
  let unknownTokens = 0;
  for (const r of results) {
    tokens += r.tokens.question.length + r.tokens.answer.length;
    unknownTokens += r.unknown.question.length + r.unknown.answer.length;
  }
  return { items, batch: request.batch, ...timings, tokens, unknownTokens };
}
