/** Errors of the pipelines (text in, answer out). */
import { TinyCnnError } from '../errors.js';

/**
 * A pipeline cannot do what was asked. Codes:
 *   'WRONG_TASK'                the weight file is for the other task (a pair model given to a classifier, ...)
 *   'STORE_IS_ASYNC'            a sync call on a vector store that can only answer asynchronously (use the *Async method)
 *   'EXT_FEATURES_UNAVAILABLE'  the model takes external features and its metadata names no way to compute them
 *   'EXT_FEATURES_UNKNOWN'      the metadata names an external-feature function nobody registered
 *   'UNKNOWN_MODEL'             no shipped model or task has this name
 *   'ASSETS_REQUIRED'           no weights or vectors given, in a runtime that cannot find the shipped ones
 *   'FETCH_FAILED'              fetchPipeline() could not fetch a file (HTTP status or network error)
 */
export class PipelineError extends TinyCnnError {
  /** The weight file or model name concerned. */
  readonly source: string;
  constructor(
    code: 'WRONG_TASK' | 'STORE_IS_ASYNC' | 'EXT_FEATURES_UNAVAILABLE' | 'EXT_FEATURES_UNKNOWN' | 'UNKNOWN_MODEL' | 'ASSETS_REQUIRED' | 'FETCH_FAILED',
    source: string,
    message: string,
  ) {
    super(code, `${source}: ${message}`);
    this.source = source;
  }
}
