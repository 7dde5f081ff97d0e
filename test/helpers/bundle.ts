/** Bundles a TypeScript entry for a child process or worker of a test, from the current source. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './paths.js';

/**
 * entry (a path below the repo) -> one ESM file in node_modules/.cache/tinycnn-tests (inside the
 * repo, so external packages resolve), named `${name}.mjs`; the caller removes it if it must.
 */
export async function bundleForTest(entry: string, name: string): Promise<string> {
  const dir = join(repoRoot, 'node_modules', '.cache', 'tinycnn-tests');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outfile: out,
    logLevel: 'silent',
  });
  return out;
}
