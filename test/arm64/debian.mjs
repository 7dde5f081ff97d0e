/**
 * Debian's arm64 packages without touching the system: a private apt state (its own package
 * lists, an empty "installed" list, the host's Debian sources with the release name swapped)
 * resolves a package's whole dependency closure, `apt-get --download-only` fetches it, and
 * `dpkg-deb -x` unpacks each .deb into a sysroot (an arm64 root holding only those packages
 * and their libraries). No root needed for the arm64 part, no `dpkg --add-architecture`.
 * Used by test/arm64/setup.mjs.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { arch, userInfo } from 'node:os';
import { join } from 'node:path';

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
 * Downloads `packages` (e.g. ['nodejs:arm64']) with their dependency closure from Debian
 * `suite`, and, when `qemuFor` names the host's architecture, its qemu-user-static too.
 * @param {{ dir: string, suite: string, packages: string[], qemuFor?: string }} request
 *   dir: the private apt state folder (delete it when done)
 * @returns {string[]} paths of the downloaded .deb files, sorted
 */
export function downloadDebs({ dir, suite, packages, qemuFor }) {
  const apt = privateApt(dir, qemuFor, suite);
  run('apt-get update', 'apt-get', [...apt.options, 'update', '-qq']);
  run('apt-get download', 'apt-get', [
    ...apt.options,
    'install',
    '--download-only',
    '--no-install-recommends',
    '-y',
    '-qq',
    ...packages,
    ...(qemuFor ? ['qemu-user-static'] : []),
  ]);
  return readdirSync(apt.archives)
    .filter((f) => f.endsWith('.deb'))
    .sort()
    .map((f) => join(apt.archives, f));
}

/**
 * Unpacks the arm64 (and architecture-independent) .debs into `sysroot`, built in a fresh
 * folder and renamed into place only once complete.
 * @param {string[]} debs
 * @param {string} sysroot
 */
export function unpackSysroot(debs, sysroot) {
  const staging = `${sysroot}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  for (const deb of debs) if (deb.endsWith('_arm64.deb') || deb.endsWith('_all.deb')) run('unpack', 'dpkg-deb', ['-x', deb, staging]);
  // Merged /usr: trixie's libc6 ships only usr/lib/ld-linux-aarch64.so.1; base-files (not unpacked) makes /lib a link.
  for (const d of ['lib', 'bin', 'sbin']) if (!existsSync(join(staging, d)) && existsSync(join(staging, 'usr', d))) symlinkSync(`usr/${d}`, join(staging, d));
  rmSync(sysroot, { recursive: true, force: true });
  renameSync(staging, sysroot);
}

/** Takes only usr/bin/qemu-aarch64-static out of Debian's qemu-user-static .deb (the whole package is ~380 MB) into `bin`. */
export function extractQemu(deb, bin) {
  mkdirSync(bin, { recursive: true });
  const tar = execFileSync('dpkg-deb', ['--fsys-tarfile', deb], { maxBuffer: 1 << 30 });
  execFileSync('tar', ['-x', '-C', bin, '--strip-components=3', './usr/bin/qemu-aarch64-static'], { input: tar });
}

/** The host's Debian release name (VERSION_CODENAME), e.g. 'bookworm'. */
export function hostCodename() {
  const codename = /^VERSION_CODENAME=(.*)$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1]?.replace(/"/g, '').trim();
  if (!codename) throw new Arm64SetupError('sources', 'no VERSION_CODENAME in /etc/os-release', 'run on Debian (bookworm or later)');
  return codename;
}

/**
 * apt with its own lists, cache, sources and an empty "installed" list, so it resolves
 * a package's whole closure and touches nothing of the system's.
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
    '-o',
    `APT::Architecture=${architectures[0]}`,
    ...architectures.flatMap((a) => ['-o', `APT::Architectures::=${a}`]),
    '-o',
    'Dir::Etc::sourcelist=/dev/null',
    '-o',
    `Dir::Etc::sourceparts=${parts}`,
    '-o',
    `Dir::State=${dir}`,
    '-o',
    `Dir::State::Lists=${join(dir, 'lists')}`,
    '-o',
    `Dir::State::status=${join(dir, 'status')}`,
    '-o',
    `Dir::Cache=${dir}`,
    '-o',
    `Dir::Cache::archives=${archives}`,
    '-o',
    'Debug::NoLocking=1', // private folders: nobody else uses these locks
    '-o',
    'Acquire::Languages=none',
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
  const codename = hostCodename();
  const swap = (suites) => suites.replace(new RegExp(`\\b${codename}\\b`, 'g'), suite);
  const stanzas = [];
  const dirPath = '/etc/apt/sources.list.d';
  const files = existsSync(dirPath)
    ? readdirSync(dirPath)
        .filter((f) => f.endsWith('.sources'))
        .map((f) => join(dirPath, f))
    : [];
  for (const file of files) {
    for (const stanza of readFileSync(file, 'utf8').split(/\n\s*\n/)) {
      const lines = stanza.split('\n').filter((l) => !l.startsWith('#'));
      const suites = lines.find((l) => /^Suites:/i.test(l));
      if (suites === undefined || !new RegExp(`\\b${codename}\\b`).test(suites) || /^Enabled:\s*no/im.test(stanza)) continue;
      stanzas.push(
        lines
          .map((l) => (l === suites ? swap(l) : l))
          .filter((l) => !/^Architectures:/i.test(l))
          .join('\n')
          .trim(),
      );
    }
  }
  if (existsSync('/etc/apt/sources.list')) {
    for (const line of readFileSync('/etc/apt/sources.list', 'utf8').split('\n')) {
      // deb [options] URI suite component...
      const m = /^deb\s+(?:\[([^\]]*)\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line.trim());
      if (m === null || !new RegExp(`\\b${codename}\\b`).test(m[3])) continue;
      const signed = /signed-by=(\S+)/.exec(m[1] ?? '')?.[1];
      stanzas.push(
        [`Types: deb`, `URIs: ${m[2]}`, `Suites: ${swap(m[3])}`, `Components: ${m[4].trim()}`, ...(signed ? [`Signed-By: ${signed}`] : [])].join('\n'),
      );
    }
  }
  if (stanzas.length === 0)
    throw new Arm64SetupError(
      'sources',
      `no apt source of the host's release (${codename}) to derive ${suite}'s from`,
      'run on Debian with its standard sources',
    );
  return `${stanzas.join('\n\n')}\n`;
}

/** The host's dpkg architecture ('amd64', 'arm64', ...). */
export function hostDebianArch() {
  try {
    return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Arm64SetupError('host', `dpkg not found (node reports ${arch()})`, 'this setup uses Debian/Ubuntu apt and dpkg');
  }
}

/** Runs a setup command; its failure is an Arm64SetupError naming the step. */
function run(step, command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) throw new Arm64SetupError(step, `${command}: ${result.error.message}`, 'needs Debian/Ubuntu apt-get and dpkg-deb');
  if (result.status !== 0) throw new Arm64SetupError(step, `${command} exited ${result.status}: ${(result.stderr || result.stdout).trim().slice(-1500)}`);
  return result.stdout;
}
