/**
 * Command-line helpers every subcommand shares: parsing with node:util parseArgs (its
 * errors turned into one-line UsageErrors), `--help` / `-h`, typed flag values, and the
 * one-line report of a usage mistake (exit code 2).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { type Arch, parseArch } from '../cost/prices.js';
import { exitCodeOf, isUsageError, UsageError } from './usage.js';

/**
 * node:util parseArgs with `strict` on, its errors ("Unknown option '--x'. To specify a
 * positional argument ...") turned into short UsageErrors ('unknown option --x').
 * @param config what parseArgs takes
 */
export function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw usageFromParseArgs(error);
  }
}

/** A parseArgs error as a UsageError with a one-line message; anything else unchanged. */
export function usageFromParseArgs(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) return error;
  const message = (error as Error).message;
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return new UsageError(`unknown option ${unknown[1]}`);
  const missing = /Option '(?:-\w, )?(-[\w-]+) <value>' argument missing/.exec(message);
  if (missing) return new UsageError(`${missing[1]} needs a value`);
  const noValue = /Option '(?:-\w, )?(-[\w-]+)' does not take an argument/.exec(message);
  if (noValue) return new UsageError(`${noValue[1]} takes no value`);
  const positional = /Unexpected argument '([^']*)'/.exec(message);
  if (positional) return new UsageError(`unexpected argument "${positional[1]}"`);
  return new UsageError(message.split('. ')[0]);
}

/** Whether the command line asks for help (`--help` or `-h` before any `--`). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((arg) => arg === '--help' || arg === '-h');
}

/** The one line a usage mistake prints: `tinycnn NAME: message (tinycnn NAME --help)`. */
export function usageLine(name: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `tinycnn ${name}: ${message}${isUsageError(error) ? ` (see tinycnn ${name} --help)` : ''}`;
}

/** --arch value -> Arch (undefined stays undefined). */
export function archFlag(value: string | undefined, flag = '--arch'): Arch | undefined {
  if (value === undefined) return undefined;
  const arch = parseArch(value);
  if (arch === undefined) throw new UsageError(`${flag} must be x86_64 or arm64, not "${value}"`);
  return arch;
}

/** A positive number flag (undefined stays undefined); `integer` rejects fractions. */
export function numberFlag(value: string | undefined, flag: string, integer = false): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${flag} must be a positive ${integer ? 'integer' : 'number'}, not "${value}"`);
  }
  return n;
}

/** A non-negative integer flag (undefined stays undefined). */
export function nonNegativeIntFlag(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} needs a non-negative integer, not "${value}"`);
  return Number(value);
}

/** A flag with a fixed set of values (undefined stays undefined). */
export function choiceFlag<T extends string>(value: string | undefined, flag: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

/** A comma-separated list of positive integers ("5,10,20,30"). */
export function intListFlag(value: string | undefined, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`${flag} needs at least one number`);
  return parts.map((p) => numberFlag(p, flag, true) as number);
}

/**
 * Runs a subcommand body: `--help` / `-h` prints the usage and returns 0; a usage mistake
 * (ours, node:util parseArgs's, or a missing optional package) prints one line on stderr
 * and returns 2. Other errors propagate (the dispatcher prints them as one line, exit 1).
 */
export async function withUsage(
  /** Subcommand name, for the message (e.g. 'cost', 'vectors upload'). */
  name: string,
  /** Its usage text. */
  usage: string,
  /** The arguments after the subcommand's name. */
  argv: readonly string[],
  /** The body; returns the exit code. */
  body: () => Promise<number>,
): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  try {
    return await body();
  } catch (error) {
    const usageError = usageFromParseArgs(error);
    if (exitCodeOf(usageError) === 2) {
      process.stderr.write(`${usageLine(name, usageError)}\n`);
      return 2;
    }
    throw usageError;
  }
}
