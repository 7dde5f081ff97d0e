/**
 * The arm64 side of `npm run test:arm64`: Debian's arm64 Node.js unpacked into
 * .arm64/<suite>/sysroot and a qemu user-mode emulator to run it, set up once and cached.
 *
 *   node test/arm64/setup.mjs [bookworm|trixie ...]          set up (idempotent), print what is there
 *   node test/arm64/setup.mjs --check [bookworm|trixie ...]  print what is there, install nothing
 *
 * Two Debian releases, two Node versions (default: both):
 *   bookworm  Debian 12, nodejs 18.20: WebAssembly SIMD; its V8 (10.2) predates the final
 *             relaxed-SIMD opcodes, so the wasm-relaxed flavour cannot run there
 *   trixie    Debian 13, nodejs 20.19: relaxed SIMD behind --experimental-wasm-relaxed-simd,
 *             as on the x86_64 side; the closest Debian has to Lambda's Node 22/24
 *
 * Nothing on the system changes and the Node part needs no root: apt runs with a
 * private state folder (.arm64/<suite>/apt: its own package lists, an empty
 * "installed" list, and the host's Debian sources with the release name swapped),
 * so `dpkg --add-architecture` is not needed. It downloads nodejs:arm64 with its
 * dependency closure and unpacks each .deb with `dpkg-deb -x` into the sysroot (an
 * arm64 root holding only Node and its libraries).
 *
 * The emulator: a qemu-aarch64 already on PATH (Debian's qemu-user-static or
 * qemu-user) is used as is; otherwise qemu-aarch64-static is taken out of Debian's
 * qemu-user-static .deb (fetched by the same private apt) into .arm64/bin. On an
 * arm64 host no emulator is needed and none is used.
 *
 * Layout (git ignores .arm64/):
 *   .arm64/<suite>/sysroot/     usr/bin/node, libnode, libc, ... (arm64)
 *   .arm64/<suite>/ready.json   written last: what was unpacked; its presence means "set up"
 *   .arm64/<suite>/apt/         apt's private state, removed after a successful setup
 *   .arm64/bin/                 qemu-aarch64-static, when the system has none
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, userInfo } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CACHE = join(ROOT, '.arm64');

/** The Debian releases whose arm64 nodejs can be set up, and what each brings. */
export const SUITES = {
  bookworm: 'Debian 12 nodejs (Node 18)',
  trixie: 'Debian 13 nodejs (Node 20)',
};

export class Arm64SetupError extends Error {
  /**
   * @param {string} step  what was being done ('apt-get update', 'unpack', 'smoke test', ...)
   * @param {string} message what went wrong
   * @param {string} [hint] how to fix it
   */
  constructor(step, message, hint) {
    super(`arm64 setup, ${step}: ${message}${hint ? `\n  hint: ${hint}` : ''}`);
    this.name = 'Arm64SetupError';
    this.step = step;
    this.hint = hint;
  }
}

/**
 * @typedef {object} Arm64Node
 * @property {string} suite  'bookworm' | 'trixie'
 * @property {string[]} command  argv prefix that runs arm64 node: [qemu, '-L', sysroot, node] (or [node] on arm64)
 * @property {string} nodeVersion  e.g. 'v18.20.4'
 * @property {string} emulator  e.g. '.arm64/bin/qemu-aarch64-static (Debian qemu-user-static, qemu-aarch64 version 7.2.22)'
 * @property {string} sysroot
 */

/**
 * What is set up for one suite, without installing anything.
 * @param {string} suite a key of SUITES
 * @returns {{ ok: true, node: Arm64Node } | { ok: false, reason: string }}
 */
export function findArm64(suite) {
  const ready = join(CACHE, suite, 'ready.json');
  if (!existsSync(ready)) return { ok: false, reason: `${rel(join(CACHE, suite))} is not set up (run: node test/arm64/setup.mjs ${suite})` };
  const info = JSON.parse(readFileSync(ready, 'utf8'));
  const sysroot = join(CACHE, suite, 'sysroot');
  const node = join(sysroot, 'usr', 'bin', 'node');
  if (!existsSync(node)) return { ok: false, reason: `${rel(node)} is missing (delete ${rel(join(CACHE, suite))} and set up again)` };
  const qemu = hostDebianArch() === 'arm64' ? null : findQemu();
  if (qemu === undefined) return { ok: false, reason: 'no qemu-aarch64 emulator on PATH or in .arm64/bin (run: node test/arm64/setup.mjs)' };
  return {
    ok: true,
    node: {
      suite,
      command: qemu === null ? [node] : [qemu.path, '-L', sysroot, node],
      nodeVersion: info.nodeVersion,
      emulator: qemu === null ? 'none (arm64 host)' : `${rel(qemu.path)} (${qemu.source}, ${qemu.version})`,
      sysroot,
    },
  };
}

/**
 * Sets up one suite's arm64 Node (and the emulator when needed) unless already there.
 * @param {string} suite a key of SUITES
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Arm64Node}
 */
export function ensureArm64(suite, options = {}) {
  if (!(suite in SUITES)) throw new Arm64SetupError('arguments', `unknown suite "${suite}"`, `one of ${Object.keys(SUITES).join(', ')}`);
  const log = options.log ?? ((line) => console.log(line));
  const found = findArm64(suite);
  if (found.ok) return found.node;

  const host = hostDebianArch();
  const needQemu = host !== 'arm64' && findQemu() === undefined;
  const dir = join(CACHE, suite);
  const apt = privateApt(join(dir, 'apt'), needQemu ? host : undefined, suite);
  log(`arm64 setup: fetching ${SUITES[suite]} for arm64${needQemu ? ' and qemu-user-static' : ''} with a private apt state in ${rel(apt.dir)}`);
  run('apt-get update', 'apt-get', [...apt.options, 'update', '-qq']);
  run('apt-get download', 'apt-get', [...apt.options, 'install', '--download-only', '--no-install-recommends', '-y', '-qq', 'nodejs:arm64', ...(needQemu ? ['qemu-user-static'] : [])]);

  // Unpack into a fresh folder, renamed into place only once complete.
  const staging = join(dir, 'sysroot.partial');
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const debs = readdirSync(apt.archives).filter((f) => f.endsWith('.deb')).sort();
  for (const deb of debs) {
    const path = join(apt.archives, deb);
    if (deb.startsWith('qemu-user-static_')) extractQemu(path);
    else if (deb.endsWith('_arm64.deb') || deb.endsWith('_all.deb')) run('unpack', 'dpkg-deb', ['-x', path, staging]);
  }
  // Merged /usr: trixie's libc6 ships only usr/lib/ld-linux-aarch64.so.1; base-files (not unpacked) makes /lib a link.
  for (const d of ['lib', 'bin', 'sbin']) if (!existsSync(join(staging, d)) && existsSync(join(staging, 'usr', d))) symlinkSync(`usr/${d}`, join(staging, d));
  const sysroot = join(dir, 'sysroot');
  rmSync(sysroot, { recursive: true, force: true });
  renameSync(staging, sysroot);

  const qemu = host === 'arm64' ? null : findQemu();
  if (qemu === undefined) throw new Arm64SetupError('emulator', 'no qemu-aarch64 after setup', 'apt-get install qemu-user-static');
  const node = join(sysroot, 'usr', 'bin', 'node');
  const command = qemu === null ? [node] : [qemu.path, '-L', sysroot, node];
  const smoke = spawnSync(command[0], [...command.slice(1), '-p', 'process.arch + " " + process.version'], { encoding: 'utf8' });
  const [nodeArch, nodeVersion] = (smoke.stdout ?? '').trim().split(' ');
  if (smoke.status !== 0 || nodeArch !== 'arm64') {
    throw new Arm64SetupError('smoke test', `arm64 node did not start: ${(smoke.stderr || smoke.stdout || String(smoke.error)).trim().slice(0, 500)}`);
  }
  writeFileSync(join(dir, 'ready.json'), `${JSON.stringify({ suite, nodeVersion, debs }, null, 2)}\n`);
  rmSync(apt.dir, { recursive: true, force: true }); // package lists and .debs: tens of MB no longer needed
  log(`arm64 setup: ${suite} ready, node ${nodeVersion} (arm64) in ${rel(sysroot)}`);
  const ready = findArm64(suite);
  if (!ready.ok) throw new Arm64SetupError('check', ready.reason);
  return ready.node;
}

/**
 * The qemu-aarch64 to use: the system's (PATH) first, else the one unpacked into .arm64/bin.
 * @returns {{ path: string, source: 'system' | '.arm64/bin', version: string } | undefined}
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

/** Takes only usr/bin/qemu-aarch64-static out of Debian's qemu-user-static .deb (the whole package is ~380 MB). */
function extractQemu(deb) {
  const bin = join(CACHE, 'bin');
  mkdirSync(bin, { recursive: true });
  const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', deb], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', bin, '--strip-components=3', './usr/bin/qemu-aarch64-static'], { input: tar });
}

/**
 * apt with its own lists, cache, sources and an empty "installed" list, so it resolves
 * nodejs:arm64's whole closure and touches nothing of the system's.
 * @param {string} dir   the private state folder
 * @param {string | undefined} host the host's dpkg architecture when its qemu-user-static is fetched too, else undefined (arm64 only)
 * @param {string} suite the Debian release to fetch from
 */
function privateApt(dir, host, suite) {
  const archives = join(dir, 'archives');
  const parts = join(dir, 'sources.list.d');
  for (const d of [join(dir, 'lists', 'partial'), join(archives, 'partial'), parts]) mkdirSync(d, { recursive: true });
  writeFileSync(join(dir, 'status'), '');
  writeFileSync(join(parts, 'debian.sources'), debianSources(suite));
  const architectures = host === undefined ? ['arm64'] : [host, 'arm64'];
  const options = [
    '-o', `APT::Architecture=${architectures[0]}`,
    ...architectures.flatMap((a) => ['-o', `APT::Architectures::=${a}`]),
    '-o', 'Dir::Etc::sourcelist=/dev/null',
    '-o', `Dir::Etc::sourceparts=${parts}`,
    '-o', `Dir::State=${dir}`,
    '-o', `Dir::State::Lists=${join(dir, 'lists')}`,
    '-o', `Dir::State::status=${join(dir, 'status')}`,
    '-o', `Dir::Cache=${dir}`,
    '-o', `Dir::Cache::archives=${archives}`,
    '-o', 'Debug::NoLocking=1', // private folders: nobody else uses these locks
    '-o', 'Acquire::Languages=none',
  ];
  if (userInfo().uid === 0) options.push('-o', 'APT::Sandbox::User=root'); // the _apt user cannot write into the repo
  return { dir, archives, options };
}

/**
 * The host's Debian sources (deb822 .sources files and one-line sources.list), with the
 * host's release name replaced by `suite` in each Suites field ("bookworm-security" ->
 * "trixie-security"): same mirrors, same keys, another release.
 */
function debianSources(suite) {
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, '').trim();
  if (!codename) throw new Arm64SetupError('sources', 'no VERSION_CODENAME in /etc/os-release', 'run on Debian (bookworm or later)');
  const swap = (suites) => suites.replace(new RegExp(`\\b${codename}\\b`, 'g'), suite);
  const stanzas = [];
  const dirPath = '/etc/apt/sources.list.d';
  const files = existsSync(dirPath) ? readdirSync(dirPath).filter((f) => f.endsWith('.sources')).map((f) => join(dirPath, f)) : [];
  for (const file of files) {
    for (const stanza of readFileSync(file, 'utf8').split(/\n\s*\n/)) {
      const lines = stanza.split('\n').filter((l) => !l.startsWith('#'));
      const suites = lines.find((l) => /^Suites:/i.test(l));
      if (suites === undefined || !new RegExp(`\\b${codename}\\b`).test(suites) || /^Enabled:\s*no/im.test(stanza)) continue;
      stanzas.push(lines.map((l) => (l === suites ? swap(l) : l)).filter((l) => !/^Architectures:/i.test(l)).join('\n').trim());
    }
  }
  if (existsSync('/etc/apt/sources.list')) {
    for (const line of readFileSync('/etc/apt/sources.list', 'utf8').split('\n')) {
      // deb [options] URI suite component...
      const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line.trim());
      if (m === null || !new RegExp(`\\b${codename}\\b`).test(m[3])) continue;
      const signed = /signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
      stanzas.push([`Types: deb`, `URIs: ${m[2]}`, `Suites: ${swap(m[3])}`, `Components: ${m[4].trim()}`, ...(signed ? [`Signed-By: ${signed}`] : [])].join('\n'));
    }
  }
  if (stanzas.length === 0) throw new Arm64SetupError('sources', `no apt source of the host's release (${codename}) to derive ${suite}'s from`, 'run on Debian with its standard sources');
  return `${stanzas.join('\n\n')}\n`;
}

function hostDebianArch() {
  try {
    return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Arm64SetupError('host', `dpkg not found (node reports ${arch()})`, 'this setup uses Debian/Ubuntu apt and dpkg');
  }
}

function run(step, command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Arm64SetupError(step, `${command}: ${result.error.message}`, 'needs Debian/Ubuntu apt-get and dpkg-deb');
  if (result.status !== 0) throw new Arm64SetupError(step, `${command} exited ${result.status}: ${(result.stderr || result.stdout).trim().slice(-1500)}`);
  return result.stdout;
}

function rel(path) {
  return path.startsWith(`${ROOT}/`) ? path.slice(ROOT.length + 1) : path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const suites = args.filter((a) => !a.startsWith('--'));
  let failed = false;
  for (const suite of suites.length > 0 ? suites : Object.keys(SUITES)) {
    try {
      const found = args.includes('--check') ? findArm64(suite) : { ok: true, node: ensureArm64(suite) };
      if (found.ok) console.log(`arm64 ${suite}: node ${found.node.nodeVersion} in ${rel(found.node.sysroot)}, emulator ${found.node.emulator}`);
      else console.log(`arm64 ${suite}: not set up: ${found.reason}`);
      failed ||= !found.ok;
    } catch (error) {
      console.error(error instanceof Error ? error.message : String(error));
      failed = true;
    }
  }
  process.exitCode = failed ? 1 : 0;
}
