/**
 * Task metrics: accuracy for classifiers; trec_eval's average precision and reciprocal rank,
 * averaged into MAP and MRR, for answer ranking. Mirrors converters/train/trecqa.py.
 */

/**
 * Candidate indices by decreasing score; equal scores keep candidate order.
 * @param scores one score per candidate
 */
export function rankOrder(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]! || a - b);
}

/** trec_eval's AP: mean of precision at each relevant rank over all relevant (0 when none). */
export function averagePrecision(labels: readonly number[], scores: ArrayLike<number>): number {
  let hits = 0;
  let total = 0;
  rankOrder(scores).forEach((i, r) => {
    if (labels[i]) total += ++hits / (r + 1);
  });
  const relevant = labels.reduce((s, l) => s + (l ? 1 : 0), 0);
  return hits ? total / relevant : 0;
}

/** trec_eval's recip_rank: 1 / rank of the first relevant candidate (0 when none). */
export function reciprocalRank(labels: readonly number[], scores: ArrayLike<number>): number {
  const order = rankOrder(scores);
  for (let r = 0; r < order.length; r++) if (labels[order[r]!]) return 1 / (r + 1);
  return 0;
}

/** One ranked question: candidates' 0/1 labels and the model's scores. */
export interface RankedQuestion {
  labels: number[];
  scores: ArrayLike<number>;
}

/** MAP and MRR over a set of questions. */
export interface RankingMetrics {
  map: number;
  mrr: number;
  questions: number;
}

/**
 * MAP / MRR on TrecQA's two conventions: `raw` counts every question with a candidate
 * (trec_eval never sees one without; a question without a correct answer counts 0),
 * `clean` only questions with at least one correct and one wrong answer.
 */
export function rankingMetrics(questions: readonly RankedQuestion[]): { raw: RankingMetrics; clean: RankingMetrics } {
  const over = (keep: (q: RankedQuestion) => boolean): RankingMetrics => {
    const kept = questions.filter(keep);
    const n = kept.length;
    const sum = (f: (q: RankedQuestion) => number) => kept.reduce((s, q) => s + f(q), 0);
    return {
      map: n ? sum((q) => averagePrecision(q.labels, q.scores)) / n : 0,
      mrr: n ? sum((q) => reciprocalRank(q.labels, q.scores)) / n : 0,
      questions: n,
    };
  };
  const positives = (q: RankedQuestion) => q.labels.reduce((s, l) => s + (l ? 1 : 0), 0);
  return {
    raw: over((q) => q.labels.length > 0),
    clean: over((q) => positives(q) > 0 && positives(q) < q.labels.length),
  };
}
