/** For the package tests: build the zip into a temp folder, unzip it, run its handler in a fresh Node process. */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LambdaResponse } from '../../src/lambda/http.js';
import { buildPackage, type PackageOptions, type PackageResult } from '../../src/package/build.js';
import { unzip as unzipInJs } from '../arm64/unzip.mjs';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const execFileAsync = promisify(execFile);
const CHILD = fileURLToPath(new URL('./packaged-child.mjs', import.meta.url));

export interface Packaged {
  /** The temporary folder (zip, unzipped copy, plans). */
  readonly tmp: string;
  readonly result: PackageResult;
  /** Where the zip was unzipped (the function's /var/task). */
  readonly unzipped: string;
  /**
   * Runs test/lambda/packaged-child.mjs on a plan in a fresh Node process, cwd = tmp, no TINYCNN_* variables
   * but `env`, LAMBDA_TASK_ROOT = the unzipped folder.
   * @param node argv prefix that starts Node (default: this process's Node; e.g. [an official Node 24 build])
   */
  run(plan: Record<string, unknown>, env?: Record<string, string>, node?: string[]): Promise<{ flavour: string; answers: LambdaResponse[]; stdout: string }>;
  remove(): void;
}

/**
 * Builds the package (as `npm run package` does, into a temp folder) and unzips it.
 * @param options passed to buildPackage (root and out are set here)
 */
export async function packaged(options: Omit<PackageOptions, 'root' | 'out'> = {}, zipName = 'tinycnn-lambda.zip'): Promise<Packaged> {
  const tmp = mkdtempSync(join(tmpdir(), 'tinycnn-package-'));
  const result = await buildPackage({ ...options, root: ROOT, out: join(tmp, zipName) });
  const unzipped = join(tmp, 'unzipped');
  extract(result.path, unzipped);
  let plans = 0;
  return {
    tmp,
    result,
    unzipped,
    async run(plan, env = {}, node = [process.execPath]) {
      const planFile = join(tmp, `plan-${plans++}.json`);
      const out = `${planFile}.out`;
      writeFileSync(planFile, JSON.stringify({ index: join(unzipped, 'index.mjs'), out, ...plan }));
      const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TINYCNN_')));
      // Asynchronous: a server the child talks to (dynalite) may live in this process.
      const { stdout } = await execFileAsync(node[0], [...node.slice(1), CHILD, planFile], {
        cwd: tmp,
        env: { ...clean, LAMBDA_TASK_ROOT: unzipped, ...env },
        timeout: 60_000,
      }).catch((error: Error & { stderr?: string }) => {
        throw new Error(`packaged child failed: ${error.message}\n${error.stderr ?? ''}`);
      });
      return { ...(JSON.parse(readFileSync(out, 'utf8')) as { flavour: string; answers: LambdaResponse[] }), stdout };
    },
    remove: () => rmSync(tmp, { recursive: true, force: true }),
  };
}

/** Unzips with Info-ZIP's unzip, or where it is missing with test/arm64/unzip.mjs (a reader of our own, no tool needed). */
export function extract(zip: string, into: string): void {
  const unzip = spawnSync('unzip', ['-q', zip, '-d', into]);
  if (unzip.error === undefined && unzip.status === 0) return;
  unzipInJs(zip, into);
}

/** A response without the fields that differ run to run (timings, cold start). */
export function stable(response: LambdaResponse): unknown {
  const body = JSON.parse(response.body) as Record<string, unknown>;
  for (const key of ['t_overall', 't_sent_embedding', 't_load_model', 't_inference', 'cold_start']) delete body[key];
  return { status: response.statusCode, body };
}
