/** Small helpers the subcommands share: backend flag, JSON input from a file or stdin, the repo root. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BackendChoice } from '../backend/select.js';
import { InputError } from '../errors.js';
import { UsageError } from './usage.js';

const BACKENDS: readonly BackendChoice[] = ['auto', 'js', 'wasm-simd', 'wasm-relaxed'];

/** --backend value -> a choice (undefined = auto, which honours $TINYCNN_BACKEND). */
export function parseBackend(value: string | undefined): BackendChoice | undefined {
  if (value === undefined) return undefined;
  if (!(BACKENDS as readonly string[]).includes(value)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, not "${value}"`);
  return value as BackendChoice;
}

/** Reads a whole stream (stdin) as text. */
export async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses JSON from a path, or from stdin when the path is '-'. */
export async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = path === '-' ? await readStream(process.stdin) : readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(path, `cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new InputError(path, `is not valid JSON (${(error as Error).message})`);
  }
}

/**
 * The package root (package.json, converters/, weights/), from build/src/cli or src/cli
 * alike, in a checkout or in node_modules/tinycnn.
 */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!isTinycnnRoot(dir)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the tinycnn package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

function isTinycnnRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'tinycnn';
  } catch {
    return false;
  }
}
