/**
 * SM CNN's external features (castorini's ext_feats: 4 word-overlap features of the
 * question/answer pair) come from ONE function per model, chosen at load from the
 * weight file's metadata through this small registry:
 *
 *   tinycnn.ext_features  JSON {"name": NAME, ...settings}: the factory registered under
 *                         NAME gets the whole object and returns the model's feature function.
 *
 * A model without external features needs nothing. A model with them and no
 * `tinycnn.ext_features` entry loads, and its raw path (Model.forward with an explicit
 * `ext`, or PairRanker calls given `ext`) works; ranking text without `ext` then throws
 * PipelineError 'EXT_FEATURES_UNAVAILABLE'. A NAME nobody registered fails at load.
 */
import { WeightFileError } from '../errors.js';
import { OVERLAP_FEATURES, overlapFeatures } from '../text/overlap.js';
import { PipelineError } from './errors.js';

/**
 * Computes a pair's external features.
 * @param qTokens the question's tokens, as the model's tokenizer produced them
 * @param aTokens the answer's tokens
 * @param out     (features) where to write them
 */
export type ExtFeatureFunction = (qTokens: readonly string[], aTokens: readonly string[], out: Float32Array) => void;

/** Makes a model's feature function from its `tinycnn.ext_features` settings (the parsed JSON object) and the file's name (for errors). */
export type ExtFeatureFactory = (settings: Readonly<Record<string, unknown>>, file: string) => ExtFeatureFunction;

/** Built in: the word-overlap features the shipped SM CNN was trained with (src/text/overlap.ts). */
const factories = new Map<string, ExtFeatureFactory>([[OVERLAP_FEATURES, overlapFeatures]]);

/**
 * Registers a feature function family under a name that weight files can refer to.
 * @param name    the value of "name" in `tinycnn.ext_features`
 * @param factory builds the function from the file's settings
 */
export function registerExtFeatures(name: string, factory: ExtFeatureFactory): void {
  factories.set(name, factory);
}

/**
 * The feature function a weight file asks for, or undefined when its metadata names none.
 * @param metadata the file's `__metadata__`
 * @param file     the file, for errors
 */
export function extFeaturesFromMetadata(metadata: Readonly<Record<string, string>>, file: string): ExtFeatureFunction | undefined {
  const raw = metadata['tinycnn.ext_features'];
  if (raw === undefined) return undefined;
  let settings: unknown;
  try {
    settings = JSON.parse(raw);
  } catch {
    throw new WeightFileError(file, `metadata tinycnn.ext_features is not JSON: ${raw.slice(0, 80)}`);
  }
  if (typeof settings !== 'object' || settings === null || typeof (settings as { name?: unknown }).name !== 'string') {
    throw new WeightFileError(file, `metadata tinycnn.ext_features should be {"name": "...", ...}, got ${raw.slice(0, 80)}`);
  }
  const name = (settings as { name: string }).name;
  const factory = factories.get(name);
  if (factory === undefined) {
    const known = [...factories.keys()];
    throw new PipelineError(
      'EXT_FEATURES_UNKNOWN',
      file,
      `external features "${name}" are not registered (registered: ${known.length > 0 ? known.join(', ') : 'none'})`,
    );
  }
  return factory(settings as Record<string, unknown>, file);
}
