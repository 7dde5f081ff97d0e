import { TinyCnnError } from '../errors.js';

/** A mistake in the command line itself: the command prints it as one line and exits with code 2. */
export class UsageError extends TinyCnnError {
  constructor(message: string) {
    super('USAGE', message);
  }
}

/** Our UsageError, or node:util parseArgs rejecting an option: both mean exit code 2. */
export function isUsageError(error: unknown): boolean {
  if (error instanceof UsageError) return true;
  const code = error instanceof TinyCnnError ? undefined : (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}
