/**
 * SM CNN's external features from the two texts: word overlap between question and answer,
 * computed exactly as the training side did (converters/train/overlap.py; the tests check
 * every TrecQA TEST pair against PyTorch's committed features). The spec travels in the
 * weight file's metadata (`tinycnn.ext_features`, registered under its name by
 * src/pipeline/ext-features.ts): the stopword list and the training answers' IDF values,
 * each float32 value with the words that share it.
 *
 *   0  question tokens found in the answer / question tokens
 *   1  the same over question tokens that are not stopwords (0 when there are none)
 *   2  sum idf(w) over question tokens found in the answer / sum idf(w) over question tokens
 *   3  the same without stopwords (0 when there are none)
 *
 * A question token counts once per occurrence; "found" means the word occurs among the
 * answer's tokens; a word without an IDF entry weighs `idf_other`. Sums run in float64 in
 * token order, then each feature is rounded to float32 (as numpy's float32 cast does).
 */
import { TinyCnnError } from '../errors.js';

/** The name this feature set has in `tinycnn.ext_features`. */
export const OVERLAP_FEATURES = 'overlap-idf-v1';

/** Computes one pair's features into `out` (length >= 4). */
export type OverlapFunction = (qTokens: readonly string[], aTokens: readonly string[], out: Float32Array) => void;

/** The settings in `tinycnn.ext_features` are not a usable overlap-idf-v1 spec. */
export class ExtFeaturesError extends TinyCnnError {
  constructor(where: string, detail: string) {
    super('EXT_FEATURES_INVALID', `${where}: tinycnn.ext_features ${detail}`);
  }
}

/**
 * The feature function of a weight file's `tinycnn.ext_features` settings.
 * @param spec  the parsed settings: {"name": "overlap-idf-v1", "stopwords", "idf", "idf_other"}
 * @param where the weight file, for errors
 */
export function overlapFeatures(spec: Readonly<Record<string, unknown>>, where: string): OverlapFunction {
  const { stopwords, idf, idf_other: other } = spec;
  if (!Array.isArray(stopwords) || !stopwords.every((w) => typeof w === 'string')) {
    throw new ExtFeaturesError(where, 'has no "stopwords" list of strings');
  }
  const group = (g: unknown) => Array.isArray(g) && g.length === 2 && Number.isFinite(g[0]) && typeof g[1] === 'string';
  if (!Array.isArray(idf) || !idf.every(group)) {
    throw new ExtFeaturesError(where, 'has no "idf" list of [value, "word word ..."] groups');
  }
  if (typeof other !== 'number' || !Number.isFinite(other)) {
    throw new ExtFeaturesError(where, 'has no finite "idf_other"');
  }
  const stop = new Set<string>(stopwords);
  const weights = new Map<string, number>();
  for (const [value, words] of idf as [number, string][]) for (const w of words.split(' ')) weights.set(w, value);
  return (qTokens, aTokens, out) => {
    const answer = new Set(aTokens);
    let n = 0;
    let nFound = 0;
    let nContent = 0;
    let nContentFound = 0;
    let wAll = 0;
    let wFound = 0;
    let wContent = 0;
    let wContentFound = 0;
    for (const t of qTokens) {
      const w = weights.get(t) ?? other;
      const found = answer.has(t);
      n++;
      wAll += w;
      if (found) {
        nFound++;
        wFound += w;
      }
      if (!stop.has(t)) {
        nContent++;
        wContent += w;
        if (found) {
          nContentFound++;
          wContentFound += w;
        }
      }
    }
    out[0] = ratio(nFound, n);
    out[1] = ratio(nContentFound, nContent);
    out[2] = ratio(wFound, wAll);
    out[3] = ratio(wContentFound, wContent);
  };
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}
