/** Command-line helpers shared by `tinycnn cost`, `plan` and `loadtest`: typed flag parsing and usage errors (exit code 2). */
import { type Arch, parseArch } from '../cost/prices.js';
import { isUsageError, UsageError } from './usage.js';

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

/** A comma-separated list of positive integers ("5,10,20,30"). */
export function intListFlag(value: string | undefined, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`${flag} needs at least one number`);
  return parts.map((p) => numberFlag(p, flag, true) as number);
}

/**
 * Runs a subcommand body; a usage mistake (ours, or node:util parseArgs's)
 * prints `tinycnn NAME: message` and the usage to stderr and returns 2.
 */
export async function withUsage(
  /** Subcommand name, for the message. */
  name: string,
  /** Its usage text. */
  usage: string,
  /** The body; returns the exit code. */
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (isUsageError(error)) {
      console.error(`tinycnn ${name}: ${(error as Error).message}\n\n${usage}`);
      return 2;
    }
    throw error;
  }
}
