/** Errors of the word-vector stores, converters and uploader. */
import { TinyCnnError } from '../errors.js';

/**
 * Codes:
 *   'VECTORS_CORRUPT'        a store file or a DynamoDB item is malformed (bad header, offsets,
 *                            checksum, truncated file, vector of the wrong length, non-finite value)
 *   'VECTORS_NOT_FOUND'      the store file or table does not exist
 *   'VECTORS_DIM_MISMATCH'   the store's width differs from what the caller needs
 *   'VECTORS_TIMEOUT'        the per-request deadline passed (in-flight requests were aborted)
 *   'VECTORS_UNAVAILABLE'    the backend kept failing (throttling, network) or refused the request
 *   'VECTORS_ABORTED'        the caller's AbortSignal fired
 *   'VECTORS_INPUT_INVALID'  a converter / uploader input is unusable (unknown format, bad line, ...)
 *   'VECTORS_ARGS'           bad arguments to a vectors command or API call
 */
export type VectorErrorCode =
  | 'VECTORS_CORRUPT'
  | 'VECTORS_NOT_FOUND'
  | 'VECTORS_DIM_MISMATCH'
  | 'VECTORS_TIMEOUT'
  | 'VECTORS_UNAVAILABLE'
  | 'VECTORS_ABORTED'
  | 'VECTORS_INPUT_INVALID'
  | 'VECTORS_ARGS';

export class VectorStoreError extends TinyCnnError {
  /** Where: a file path, '<bytes>', or 'dynamodb:TABLE'. */
  readonly source: string;
  /** The word concerned, when there is one. */
  readonly word: string | undefined;
  /**
   * @param code one of VectorErrorCode
   * @param source file path / '<bytes>' / 'dynamodb:TABLE'; prefixed to the message
   * @param message what is wrong, with the numbers needed to act on it
   * @param extra the word concerned and the underlying error, if any
   */
  constructor(code: VectorErrorCode, source: string, message: string, extra: { word?: string; cause?: unknown } = {}) {
    super(code, `${source}${extra.word !== undefined ? ` [${JSON.stringify(extra.word)}]` : ''}: ${message}`);
    this.source = source;
    this.word = extra.word;
    if (extra.cause !== undefined) Object.defineProperty(this, 'cause', { value: extra.cause, enumerable: false });
  }
}
