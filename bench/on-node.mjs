/**
 * `--node MAJOR` for the benchmarks (`npm run bench -- --node 22`, `npm run bench:cold -- --node 22`):
 * runs the calling script again under the official Node build of that major (npm
 * node-linux-<cpu>@MAJOR, installed on first use into .runtimes/ by test/runtimes/node-builds.mjs;
 * the system's Node is untouched). Every Node contender then runs on it: the coordinator, and
 * each worker it starts with process.execPath. Python and the peers' native code are unchanged.
 */
import { spawnSync } from 'node:child_process';
import { delimiter, dirname } from 'node:path';
import { ensureNodeBuild } from '../test/runtimes/node-builds.mjs';

/** This process's Node major version. */
export const NODE_MAJOR = Number(process.versions.node.split('.')[0]);

/**
 * Handles `--node MAJOR` in `argv`: when it names another major than this Node's, re-runs
 * `script` under that build with the remaining arguments and exits with its status (never
 * returns). Otherwise returns `argv` without the option.
 * @param {string} script the calling script (process.argv[1])
 * @param {string[]} argv its arguments (process.argv.slice(2))
 * @returns {string[]}
 */
export function onNodeMajor(script, argv) {
  const at = argv.findIndex((a) => a === '--node' || a.startsWith('--node='));
  if (at < 0) return argv;
  const value = argv[at].includes('=') ? argv[at].slice('--node='.length) : argv[at + 1];
  const rest = argv.filter((_, i) => i !== at && (argv[at].includes('=') || i !== at + 1));
  const major = Number(value);
  if (!Number.isInteger(major)) {
    console.error(`--node wants a Node major version (e.g. --node 22), not ${JSON.stringify(value)}`);
    process.exit(2);
  }
  if (major === NODE_MAJOR) return rest;
  let build;
  try {
    build = ensureNodeBuild(major, process.arch, { log: (line) => console.error(line) });
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
  console.error(`${script.slice(script.lastIndexOf('/bench/') + 1)}: running on Node ${build.version} (${build.node})`);
  const env = { ...process.env, PATH: `${dirname(build.node)}${delimiter}${process.env.PATH ?? ''}` };
  const run = spawnSync(build.node, [script, ...rest], { stdio: 'inherit', env });
  process.exit(run.status ?? 1);
}
