/**
 * The codebase passes its formatter and linter (Biome, configured once in biome.json): the
 * same check `npm run lint` runs, so `npm test` on any machine catches a drifted file.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from './helpers/paths.js';

it('biome check: formatted and lint-clean', () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'node_modules', '@biomejs', 'biome', 'bin', 'biome'), 'check', '--colors=off', '.'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  expect(run.status, `${run.stdout}\n${run.stderr}\nfix: npm run format`).toBe(0);
}, 60_000);
