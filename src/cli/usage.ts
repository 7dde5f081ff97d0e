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

/** Codes of errors that mean "fix the command line or install something first": exit code 2. */
const SETUP_CODES: ReadonlySet<unknown> = new Set(['PACKAGE_MISSING', 'PYTHON_MISSING', 'VECTORS_ARGS']);

/**
 * The exit code a failed command returns: 2 for a wrong command line, an optional package
 * that is not installed or a missing Python (all fixed by the user before anything ran), else 1.
 */
export function exitCodeOf(error: unknown): 1 | 2 {
  if (isUsageError(error)) return 2;
  return SETUP_CODES.has((error as { code?: unknown } | null)?.code) ? 2 : 1;
}
