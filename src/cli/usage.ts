import { TinyCnnError } from '../errors.js';

/** A mistake in the command line itself: the command prints it as one line and exits with code 2. */
export class UsageError extends TinyCnnError {
  constructor(message: string) {
    super('USAGE', message);
  }
}
