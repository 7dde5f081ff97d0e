/** Files the load tester finds next to the tinycnn package: the default data files and the built CLI. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LoadTestError } from './errors.js';

/** The tinycnn package root (the directory whose package.json is named "tinycnn"), from src/ or build/src/ alike. */
export function tinycnnRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown }).name === 'tinycnn') return dir;
      } catch {
        // not ours; keep climbing
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new LoadTestError('cannot find the tinycnn package root (a package.json named "tinycnn") above the load tester');
    dir = parent;
  }
}

/** The default data file of a model: bench/data/kim-sentences.txt or bench/data/sm-pairs.tsv. */
export function defaultDataFile(model: 'kim' | 'sm'): string {
  return join(tinycnnRoot(), 'bench', 'data', model === 'kim' ? 'kim-sentences.txt' : 'sm-pairs.tsv');
}

/** The built CLI entry point (build/src/cli/bin.js) that `--local` starts as `serve`. */
export function builtCli(): string {
  const bin = join(tinycnnRoot(), 'build', 'src', 'cli', 'bin.js');
  if (!existsSync(bin)) throw new LoadTestError(`${bin} does not exist: run "npm run build" first (--local starts the built server)`);
  return bin;
}
