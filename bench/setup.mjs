/**
 * Makes the benchmark runnable: the peers (tfjs, onnxruntime — hundreds of MB)
 * live in their own install under bench/, so the engine's `npm install` stays
 * small. Run by `npm run bench` before bench/run.mjs:
 *   - bench/node_modules missing, or installed from another bench/package-lock.json
 *     -> `npm ci --prefix bench` (ONNXRUNTIME_NODE_INSTALL=skip: its install script
 *        would fetch CUDA files; the CPU binary ships in the package);
 *   - build/src/index.js missing -> `npm run build` (the bench measures the built package).
 * A failed peer install is a warning, not an error: the run then reports those
 * peers as not run, and times the rest.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = dirname(fileURLToPath(import.meta.url));
const REPO = dirname(BENCH);
const LOCK = join(BENCH, 'package-lock.json');
const STAMP = join(BENCH, 'node_modules', '.tinycnn-bench-lock.sha256'); // hash of the lock we installed from
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const lockHash = () => createHash('sha256').update(readFileSync(LOCK)).digest('hex');

function peersUpToDate() {
  return existsSync(STAMP) && readFileSync(STAMP, 'utf8').trim() === lockHash();
}

if (!peersUpToDate()) {
  console.error('bench/setup: installing the benchmark peers (npm ci --prefix bench) ...');
  const result = spawnSync(npm, ['ci', '--prefix', BENCH, '--no-audit', '--no-fund'], {
    cwd: REPO,
    stdio: ['ignore', 2, 2],
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
  });
  if (result.status === 0) writeFileSync(STAMP, `${lockHash()}\n`);
  else console.error(`bench/setup: WARNING: npm ci failed (${result.error?.message ?? `exit ${result.status}`}); peers that need it will be reported as not run`);
}

if (!existsSync(join(REPO, 'build', 'src', 'index.js'))) {
  console.error('bench/setup: building the engine (npm run build) ...');
  const result = spawnSync(npm, ['run', 'build'], { cwd: REPO, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
