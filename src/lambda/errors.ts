/** The function's configuration errors (INIT fails with them). */
import { TinyCnnError } from '../errors.js';

/** A configuration value is unusable; INIT fails with this message. */
export class ConfigError extends TinyCnnError {
  /** The environment variable at fault. */
  readonly variable: string;
  constructor(variable: string, message: string) {
    super('CONFIG_INVALID', `${variable}: ${message}`);
    this.variable = variable;
  }
}
