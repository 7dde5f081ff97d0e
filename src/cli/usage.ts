/** A mistake in the command line itself: the command prints it as one line and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
