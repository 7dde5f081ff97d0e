/** Runs the built `tinycnn` command (build/src/cli/bin.js, what `npx tinycnn` runs) and captures its output. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

export { repoRoot } from './paths.js';

const bin = join(repoRoot, 'build', 'src', 'cli', 'bin.js');

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function tinycnn(args: string[], options: { input?: string; env?: Record<string, string> } = {}): CliResult {
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    input: options.input,
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: 120_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
