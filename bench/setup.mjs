/**
 * Makes the benchmark runnable: the peers (tfjs, onnxruntime — hundreds of MB)
 * live in their own install under bench/, so the engine's `npm install` stays
 * small. Run by `npm run bench` before bench/run.mjs:
 *   - bench/node_modules missing, or installed from another bench/package-lock.json
 *     -> `npm ci --prefix bench` (ONNXRUNTIME_NODE_INSTALL=skip: its install script
 *        would fetch CUDA files; the CPU binary ships in the package);
 *   - build/src/index.js missing, or older than a file under src/ or kernels/
 *     -> `npm run build` (the bench measures the built package, so it must be current).
 * A failed peer install is a warning, not an error: the run then reports those
 * peers as not run, and times the rest.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  else
    console.error(`bench/setup: WARNING: npm ci failed (${result.error?.message ?? `exit ${result.status}`}); peers that need it will be reported as not run`);
}

/** Newest modification time (ms) of the files under `dir`, skipping generated output. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') latest = Math.max(latest, newest(path));
    } else latest = Math.max(latest, statSync(path).mtimeMs);
  }
  return latest;
}

const built = join(REPO, 'build', 'src', 'index.js');
const stale = !existsSync(built) || statSync(built).mtimeMs < Math.max(newest(join(REPO, 'src')), newest(join(REPO, 'kernels')));
if (stale) {
  console.error('bench/setup: build/ is missing or older than src/ or kernels/: npm run build ...');
  const result = spawnSync(npm, ['run', 'build'], { cwd: REPO, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    if (!existsSync(built)) process.exit(result.status ?? 1);
    console.error('bench/setup: WARNING: npm run build failed; measuring the existing build/');
  }
}
