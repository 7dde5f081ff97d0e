#!/usr/bin/env node
/**
 * npm run test:node22 / test:node24 — the vitest suite under an official Node build of that
 * major (installed on first use into .runtimes/ by node-builds.mjs; the system's Node is untouched).
 *
 *   node test/runtimes/suite.mjs MAJOR [--no-build] [vitest arguments...]     (npm run test:node22 -- test/core)
 *
 * vitest itself runs on that Node, and so does every `node` a test starts: process.execPath is
 * the build's binary and its bin/ comes first on PATH. The build (tsc output and the wasm
 * kernels) is the same on every Node; --no-build skips rebuilding it (CI builds it once).
 *
 * Left out, and why (they run once, in `npm test` on the default Node):
 *   test/arm64/        it starts its own Nodes: the official x86_64 and arm64 Node 22/24 builds
 *                      (qemu) against the host's, so Node 22/24 are covered there on both CPUs
 *   TORCH_BOUND        the work is PyTorch's (writing checkpoints, torch.onnx.export: ~100 s of
 *                      ~4 min); the TypeScript ONNX converter they feed is also run, without
 *                      PyTorch, by test/onnx/handmade.test.ts, which stays in
 *   test/web/          the work is Chromium's (the pages, the browser mode); the server they talk
 *                      to stays in through test/web/routes.test.ts and test/server/ (test/worker
 *                      stays in: workerd against this Node's handler, logits bit for bit)
 *   test/package/      the work is npm's (pack, install from the cache, ~1.5 min); the commands it
 *                      runs from the tarball run from the checkout in test/cli/ and the rest
 */
import { spawnSync } from 'node:child_process';
import { delimiter, dirname, join } from 'node:path';
import { ensureNodeBuild, ROOT } from './node-builds.mjs';

/** Files whose running time is PyTorch's, not Node's (see above). */
const TORCH_BOUND = ['test/cli/convert.test.ts', 'test/onnx/torch-export.test.ts', 'test/onnx/golden-onnx.test.ts'];
/** Left out under the official builds; each entry is a vitest --exclude glob. */
export const LEFT_OUT = [
  'test/arm64/**',
  ...TORCH_BOUND,
  'test/web/demo.test.ts',
  'test/web/report.test.ts',
  'test/web/browser-mode.test.ts',
  'test/package/**',
];

// MAJOR and --no-build are ours; everything else goes to vitest (a lone `--` is dropped).
const [majorArg, ...rest] = process.argv.slice(2);
const major = Number(majorArg);
const noBuild = rest.includes('--no-build');
const vitestArgs = rest.filter((a) => a !== '--no-build' && a !== '--');
if (!Number.isInteger(major)) {
  console.error('usage: node test/runtimes/suite.mjs MAJOR [--no-build] [vitest arguments...]');
  process.exit(2);
}

let build;
try {
  build = ensureNodeBuild(major);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}

if (!noBuild) {
  const built = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

console.log(`vitest on Node ${build.version} (${build.node.slice(ROOT.length + 1)}); left out: ${LEFT_OUT.join(', ')} (why: test/runtimes/suite.mjs)`);
const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
const env = { ...process.env, PATH: `${dirname(build.node)}${delimiter}${process.env.PATH ?? ''}` };
const run = spawnSync(build.node, [vitest, 'run', ...LEFT_OUT.flatMap((glob) => ['--exclude', glob]), ...vitestArgs], { cwd: ROOT, env, stdio: 'inherit' });
process.exit(run.status ?? 1);
