/**
 * What a test needs beyond Node and npm, and the one policy for when it is absent.
 *
 * `npm test` must pass on a machine with only Node and npm: a test that needs Python,
 * PyTorch, numpy, Chromium, qemu with arm64 Node, or the official Node 22/24 builds skips,
 * and prints ONE line naming what is missing and how to get it. Nothing else skips with it:
 * gate only the describe/it blocks that use the tool, never a whole file's beforeAll.
 *
 * With TINYCNN_REQUIRE_ALL=1 (CI sets it) an absent requirement is a failure instead: the
 * gated tests still do not run, and one failing test says what is missing.
 *
 *   const torch = requires('torch');                 // at module scope
 *   describe.runIf(torch)('... PyTorch ...', () => { ... });
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { repoRoot } from './paths.js';

/** The Python the converters and reference scripts run under (as src/cli/convert.ts defaults). */
export const PYTHON = '/usr/bin/python3';
/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = '/usr/bin/chromium';

/** Everything a test may need that `npm ci` does not bring. */
export type Requirement = 'python3' | 'torch' | 'numpy' | 'chromium' | 'arm64' | 'node22' | 'node24';

/** For each requirement: what it is, how to get it, and how to tell whether it is here (a reason when not). */
const CHECKS: Record<Requirement, { what: string; how: string; check: () => string | undefined }> = {
  python3: { what: 'Python 3', how: 'apt-get install python3', check: () => pythonImports([]) },
  torch: { what: 'PyTorch', how: 'apt-get install python3-torch', check: () => pythonImports(['torch']) },
  numpy: { what: 'numpy', how: 'apt-get install python3-numpy', check: () => pythonImports(['numpy']) },
  chromium: { what: 'Chromium', how: 'apt-get install chromium', check: () => executable(CHROMIUM) },
  arm64: {
    what: 'arm64 Node under qemu',
    how: 'node test/arm64/setup.mjs (fetches into .arm64/ and .runtimes/, no system change)',
    // the targets test/arm64/arm64.test.ts runs (TINYCNN_ARM64_NODES, default node22,node24)
    check: () => scriptCheck(join('test', 'arm64', 'setup.mjs'), ...(process.env.TINYCNN_ARM64_NODES ?? '').split(',').filter(Boolean)),
  },
  node22: {
    what: 'the official Node 22 build',
    how: 'node test/runtimes/node-builds.mjs 22 (into .runtimes/, no system change)',
    check: () => scriptCheck(join('test', 'runtimes', 'node-builds.mjs'), '22'),
  },
  node24: {
    what: 'the official Node 24 build',
    how: 'node test/runtimes/node-builds.mjs 24 (into .runtimes/, no system change)',
    check: () => scriptCheck(join('test', 'runtimes', 'node-builds.mjs'), '24'),
  },
};

/** Whether TINYCNN_REQUIRE_ALL=1: no requirement may be absent. */
export const requireAll = process.env.TINYCNN_REQUIRE_ALL === '1';

const seen = new Map<Requirement, string | undefined>();

/** Why `requirement` is not available here, or undefined when it is (checked once per test file). */
export function missing(requirement: Requirement): string | undefined {
  if (!seen.has(requirement)) seen.set(requirement, CHECKS[requirement].check());
  return seen.get(requirement);
}

/** An absent requirement while TINYCNN_REQUIRE_ALL=1 forbids skipping. */
export class RequirementMissingError extends Error {
  readonly code = 'REQUIREMENT_MISSING';
  constructor(
    readonly requirement: Requirement,
    readonly reason: string,
    readonly how: string,
  ) {
    super(`${CHECKS[requirement].what} is missing (${reason}); install: ${how}. TINYCNN_REQUIRE_ALL=1 makes this a failure, not a skip`);
    this.name = 'RequirementMissingError';
  }
}

/**
 * True when every requirement is here. Otherwise prints one line ("SKIPPED <what>: <tool> is
 * missing (...); install: ..."), and under TINYCNN_REQUIRE_ALL=1 also registers one failing
 * test saying the same; returns false so the caller gates its tests with `runIf`.
 * Call at module scope (or inside the describe that it gates).
 * @param what the tests being gated, for the message (e.g. 'tinycnn convert on PyTorch checkpoints')
 */
export function requires(what: string, ...requirements: Requirement[]): boolean {
  for (const requirement of requirements) {
    const reason = missing(requirement);
    if (reason === undefined) continue;
    const { how } = CHECKS[requirement];
    console.log(`SKIPPED ${what}: ${CHECKS[requirement].what} is missing (${reason}); install: ${how}`);
    if (requireAll) {
      it(`has ${CHECKS[requirement].what} for: ${what} (TINYCNN_REQUIRE_ALL=1)`, () => {
        throw new RequirementMissingError(requirement, reason, how);
      });
    }
    return false;
  }
  return true;
}

/** undefined when PYTHON runs and imports every module, else why not (the last line of its error). */
function pythonImports(modules: string[]): string | undefined {
  const run = spawnSync(PYTHON, ['-c', modules.length === 0 ? 'pass' : `import ${modules.join(', ')}`], { encoding: 'utf8', timeout: 60_000 });
  if (run.error !== undefined) return `${PYTHON}: ${(run.error as NodeJS.ErrnoException).code ?? run.error.message}`;
  if (run.status !== 0) return `${PYTHON} -c "import ${modules.join(', ')}": ${run.stderr.trim().split('\n').at(-1) ?? `exit ${run.status}`}`;
  return undefined;
}

function executable(path: string): string | undefined {
  try {
    accessSync(path, constants.X_OK);
    return undefined;
  } catch (error) {
    return `${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}

/** Runs one of the repo's setup scripts with --check (installs nothing): undefined when it exits 0, else its message. */
function scriptCheck(script: string, ...args: string[]): string | undefined {
  const run = spawnSync(process.execPath, [join(repoRoot, script), '--check', ...args], { cwd: repoRoot, encoding: 'utf8' });
  if (run.status === 0) return undefined;
  return (run.stdout + run.stderr)
    .trim()
    .split('\n')
    .map((l) => l.replace(/\s*\(run: [^)]*\)$/, ''))
    .join('; ');
}
