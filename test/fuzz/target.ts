/** What a fuzz target is, and the checks every target shares. */
import { TinyCnnError } from '../../src/errors.js';
import type { Rng } from './random.js';

/** Where a target may read the repo's files and write scratch files. */
export interface FuzzEnv {
  /** The repository root. */
  readonly root: string;
  /** A scratch folder of this run, removed afterwards. */
  readonly tmp: string;
}

/**
 * A fuzz target: `make` builds one mutated input from the case's random stream, `check` feeds it to
 * the component and returns the outcome's label ('ok' or the typed error's code); `check` throws a
 * FuzzFailure when a property does not hold, and lets any untyped error through (a failure too).
 */
export interface FuzzTarget<Context, Input> {
  setup(env: FuzzEnv): Context | Promise<Context>;
  make(context: Context, rng: Rng): { input: Input; ops: string[] };
  check(context: Context, input: Input): string | Promise<string>;
  /** The input as bytes or text, written to a file when its case fails. */
  save(input: Input): Uint8Array | string;
  teardown?(context: Context): void | Promise<void>;
}

/** A property that did not hold. */
export class FuzzFailure extends Error {}

/** Throws FuzzFailure(message) unless `condition`. */
export function ensure(condition: unknown, message: string): asserts condition {
  if (!condition) throw new FuzzFailure(message);
}

const STACK_OR_PATH = /\n\s+at |\bat [\w.<>]+ \(|(^|[\s"'(])\/(work|home|root|var\/task|usr|opt)\/|node_modules|\.ts:\d+/;

/**
 * Runs `fn`; a TinyCnnError becomes its code (checked to be a well-formed, one-line, stack-free
 * message), anything else is rethrown: the caller's case then fails as an untyped error.
 * @param fn the call under test
 * @param allowedPaths strings a message may contain although they look like paths (the file given)
 */
export async function typed<T>(fn: () => T | Promise<T>, allowedPaths: readonly string[] = []): Promise<{ value: T } | { code: string; error: TinyCnnError }> {
  try {
    return { value: await fn() };
  } catch (error) {
    if (!(error instanceof TinyCnnError)) throw error;
    ensure(typeof error.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(error.code), `typed error with a bad code ${JSON.stringify(error.code)}`);
    let message = error.message;
    for (const p of allowedPaths) message = message.split(p).join('<file>');
    ensure(message.length > 0 && !STACK_OR_PATH.test(message), `typed error message leaks a stack or a path: ${JSON.stringify(error.message.slice(0, 300))}`);
    return { code: error.code, error };
  }
}

/** The same check for text that goes back to a client (a response body). */
export function ensureNoLeak(text: string, what: string): void {
  ensure(!STACK_OR_PATH.test(text), `${what} leaks a stack or a path: ${JSON.stringify(text.slice(0, 300))}`);
}
