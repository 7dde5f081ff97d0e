/**
 * A labelled data set through exactly the serving path (the pipeline's tokenizer, vector
 * store and backend) -> the task metric, throughput, and agreement with PyTorch's committed
 * predictions for the same items. Pure library code: the CLI (src/cli/eval.ts) reads the
 * files and prints.
 */
import type { PairRanker } from '../pipeline/pair-ranker.js';
import type { TextClassifier } from '../pipeline/text-classifier.js';
import type { ClassificationSet, GoldLabel, RankingSet } from './datasets.js';
import { EvalDataError } from './errors.js';
import { rankingMetrics, rankOrder, type RankingMetrics } from './metrics.js';

/** PyTorch's answer for one classified item (converters/train/predict.py). */
export interface PyTorchClassification {
  tokens: string[];
  pred: number;
  logits: number[];
}

/** PyTorch's answer for one ranked question. */
export interface PyTorchQuestion {
  tokens: string[];
  ranking: number[];
  candidates: { tokens: string[]; logits: number[]; score: number }[];
}

/** How tinycnn's answers compare with PyTorch's on the same items. */
export interface Agreement {
  /** Items (sentences, or questions for ranking) compared. */
  compared: number;
  /** Items whose label (ranking) differs from PyTorch's. */
  differ: number;
  /** Items whose tokens differ from the ones PyTorch was given. */
  tokensDiffer: number;
  /** max |ours - PyTorch| / (1 + |PyTorch|) over every logit. */
  worstLogitError: number;
  /** The smallest gap between PyTorch's top two logits (classification) or two candidates' scores (ranking). */
  smallestMargin: number;
}

export interface ClassificationReport {
  kind: 'classification';
  items: number;
  correct: number;
  accuracy: number;
  /** Items per second through tokenize -> vectors -> forward, batch by batch. */
  throughput: number;
  /** Predicted class per item. */
  predictions: number[];
  pytorch?: Agreement;
}

export interface RankingReport {
  kind: 'ranking';
  pairs: number;
  raw: RankingMetrics;
  clean: RankingMetrics;
  /** Pairs per second. */
  throughput: number;
  pytorch?: Agreement;
}

/**
 * Classifies every item in batches and scores the predictions.
 * @param classifier the pipeline under test
 * @param set        the labelled texts
 * @param pytorch    PyTorch's answers for the same items, in order (optional)
 * @param batch      texts per forward pass
 */
export function evaluateClassifier(
  classifier: TextClassifier,
  set: ClassificationSet,
  pytorch?: readonly PyTorchClassification[],
  batch = 64,
): ClassificationReport {
  const gold = set.items.map((item, i) => classIndex(item.label, classifier.labels, i));
  if (pytorch && pytorch.length !== set.items.length) {
    throw new EvalDataError('PyTorch predictions', `hold ${pytorch.length} items, the data set ${set.items.length}`);
  }
  const predictions: number[] = [];
  const agreement = newAgreement();
  let seconds = 0;
  for (let start = 0; start < set.items.length; start += batch) {
    const texts = set.items.slice(start, start + batch).map((item) => item.text);
    const t0 = performance.now();
    const answers = classifier.classify(texts);
    seconds += (performance.now() - t0) / 1000;
    answers.forEach((answer, j) => {
      predictions.push(answer.prediction);
      const ref = pytorch?.[start + j];
      if (!ref) return;
      agreement.compared++;
      if (answer.prediction !== ref.pred) agreement.differ++;
      if (!sameTokens(answer.tokens, ref.tokens)) agreement.tokensDiffer++;
      answer.logits.forEach((v, c) => noteError(agreement, v, ref.logits[c]!));
      const sorted = [...ref.logits].sort((a, b) => b - a);
      agreement.smallestMargin = Math.min(agreement.smallestMargin, sorted[0]! - sorted[1]!);
    });
  }
  const correct = predictions.filter((p, i) => p === gold[i]).length;
  return {
    kind: 'classification',
    items: predictions.length,
    correct,
    accuracy: correct / predictions.length,
    throughput: predictions.length / seconds,
    predictions,
    pytorch: pytorch ? agreement : undefined,
  };
}

/**
 * Scores every candidate of every question and computes MAP / MRR (raw and clean).
 * The ranking score is the float32 logit margin l1 - l0, PyTorch's order.
 * @param ranker  the pipeline under test
 * @param set     the questions and labelled candidates
 * @param pytorch PyTorch's answers for the same questions, in order (optional)
 */
export function evaluateRanker(ranker: PairRanker, set: RankingSet, pytorch?: readonly PyTorchQuestion[]): RankingReport {
  if (pytorch && pytorch.length !== set.questions.length) {
    throw new EvalDataError('PyTorch predictions', `hold ${pytorch.length} questions, the data set ${set.questions.length}`);
  }
  const agreement = newAgreement();
  const ranked = [];
  let seconds = 0;
  let pairs = 0;
  for (const [qi, q] of set.questions.entries()) {
    const labels = q.candidates.map((c) => c.label);
    if (q.candidates.length === 0) {
      ranked.push({ labels, scores: [] });
      continue;
    }
    const t0 = performance.now();
    const answers = ranker.scorePairs(q.candidates.map((c) => ({ question: q.text, answer: c.text })));
    seconds += (performance.now() - t0) / 1000;
    pairs += answers.length;
    const scores = answers.map((a) => Math.fround(a.logits[1]! - a.logits[0]!));
    ranked.push({ labels, scores });
    const ref = pytorch?.[qi];
    if (!ref) continue;
    agreement.compared++;
    if (rankOrder(scores).some((c, r) => c !== ref.ranking[r])) agreement.differ++;
    if (answers.some((a, c) => !sameTokens(a.tokens.question, ref.tokens) || !sameTokens(a.tokens.answer, ref.candidates[c]!.tokens))) {
      agreement.tokensDiffer++;
    }
    answers.forEach((a, c) => a.logits.forEach((v, k) => noteError(agreement, v, ref.candidates[c]!.logits[k]!)));
    const refScores = ref.candidates.map((c) => c.score).sort((a, b) => b - a);
    for (let i = 1; i < refScores.length; i++) agreement.smallestMargin = Math.min(agreement.smallestMargin, refScores[i - 1]! - refScores[i]!);
  }
  const { raw, clean } = rankingMetrics(ranked);
  return { kind: 'ranking', pairs, raw, clean, throughput: pairs / seconds, pytorch: pytorch ? agreement : undefined };
}

function classIndex(label: GoldLabel, labels: readonly string[], i: number): number {
  const index = typeof label === 'number' ? label : labels.indexOf(label);
  if (!Number.isInteger(index) || index < 0 || index >= labels.length) {
    throw new EvalDataError(`item ${i + 1}`, `label ${JSON.stringify(label)} is not one of the model's ${labels.length} classes (${labels.join(', ')})`);
  }
  return index;
}

function newAgreement(): Agreement {
  return { compared: 0, differ: 0, tokensDiffer: 0, worstLogitError: 0, smallestMargin: Infinity };
}

function noteError(a: Agreement, ours: number, ref: number): void {
  a.worstLogitError = Math.max(a.worstLogitError, Math.abs(ours - ref) / (1 + Math.abs(ref)));
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}
