/** Errors of the text front end (tokenizer). */
import { TinyCnnError } from '../errors.js';

/**
 * The text could not be turned into tokens. Codes:
 *   'NO_TOKENS'        nothing left after cleaning (empty, only punctuation the mode drops, ...)
 *   'TOO_MANY_TOKENS'  more tokens than `maxTokens`
 *   'TEXT_INVALID'     not a string, or an unknown tokenizer mode
 */
export class TokenizeError extends TinyCnnError {
  /** Which input: 'input', 'sent1', 'sent2', ... */
  readonly field: string;
  constructor(code: 'NO_TOKENS' | 'TOO_MANY_TOKENS' | 'TEXT_INVALID', field: string, message: string) {
    super(code, `${field}: ${message}`);
    this.field = field;
  }
}
