// The arm64 proof in vitest form: `node test/arm64/run.mjs --fast` (the packaged handler under
// Debian's arm64 Node in qemu vs the host's x86_64 Node; see run.mjs) must pass every check.
// It needs arm64 Node and qemu set up in .arm64/ first (`node test/arm64/setup.mjs`, which CI
// runs before `npm test`); without them the test is skipped and says why. It never downloads.
// TINYCNN_ARM64=full runs the whole set instead of --fast; TINYCNN_ARM64=off skips it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const mode = process.env.TINYCNN_ARM64 ?? 'fast';

/** Why the test cannot run here, or undefined when arm64 Node and qemu are set up. */
function unavailable(): string | undefined {
  if (mode === 'off') return 'TINYCNN_ARM64=off';
  const check = spawnSync(process.execPath, [join(root, 'test', 'arm64', 'setup.mjs'), '--check'], { encoding: 'utf8' });
  return check.status === 0 ? undefined : `${check.stdout.trim() || check.stderr.trim()} — set up with: node test/arm64/setup.mjs`;
}

const reason = unavailable();
if (reason !== undefined) console.warn(`test/arm64: skipped: ${reason}`);

describe.skipIf(reason !== undefined)('the Lambda zip on arm64 (qemu) gives the x86_64 answers', () => {
  it(
    `run.mjs ${mode === 'full' ? '(full)' : '--fast'}: same flavour bit for bit, others within tolerance, PyTorch within tolerance`,
    () => {
      const run = spawnSync(process.execPath, [join(root, 'test', 'arm64', 'run.mjs'), ...(mode === 'full' ? [] : ['--fast'])], {
        cwd: root,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      const output = `${run.stdout}${run.stderr}`;
      // The report: flavours per side, checks, counts, worst errors, wall time.
      console.log(output.split('\n').filter((l) => /^(x86_64|arm64 |  |PASS|FAIL|logits|worst|wall)/.test(l)).join('\n'));
      expect(output, 'the arm64 side must name the flavour it ran').toMatch(/arm64 \w+: Node v[\d.]+[^\n]*\n {2}index\.handler ran: (js|wasm-simd|wasm-relaxed)/);
      expect(output).toMatch(/^arm64: [1-9]\d* passed, 0 failed$/m);
      expect(run.status, output.slice(-3000)).toBe(0);
    },
    20 * 60_000,
  );
});
