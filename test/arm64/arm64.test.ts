// The arm64 proof in vitest form: `node test/arm64/run.mjs --fast` (the packaged handler under the
// official arm64 builds of Node 22 and 24 in qemu vs the host's x86_64 Node; see run.mjs) must pass
// every check. It needs them set up first (`node test/arm64/setup.mjs`, which CI runs before
// `npm test`); without them the test skips with one line (fails under TINYCNN_REQUIRE_ALL=1). It
// never downloads. Where the official x86_64 Node 22/24 builds are installed (.runtimes/), they
// run as further sides, so one run shows the same bits on Node 20/22/24 and x86_64/arm64.
//   TINYCNN_ARM64=full        the whole set instead of --fast
//   TINYCNN_ARM64_NODES=...   the arm64 targets (default node22,node24; extras: bookworm, trixie)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { missing, requires } from '../helpers/requirements.js';

const root = join(import.meta.dirname, '..', '..');
const full = process.env.TINYCNN_ARM64 === 'full';
const nodes = (process.env.TINYCNN_ARM64_NODES ?? 'node22,node24').split(',').filter(Boolean);
const x86 = [22, 24].filter((major) => missing(`node${major}` as 'node22' | 'node24') === undefined);

const ready = requires('the Lambda zip on arm64 Node 22/24 in qemu', 'arm64');

describe.runIf(ready)('the Lambda zip on arm64 (qemu) gives the x86_64 answers', () => {
  it(
    `run.mjs ${full ? '(full)' : '--fast'} --nodes ${nodes.join(',')} --x86 ${x86.join(',') || '(host only)'}: same flavour bit for bit, others within tolerance, PyTorch within tolerance`,
    () => {
      const args = [join(root, 'test', 'arm64', 'run.mjs'), '--nodes', nodes.join(','), '--x86', x86.join(','), ...(full ? [] : ['--fast'])];
      const run = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
      const output = `${run.stdout}${run.stderr}`;
      // The report: flavours per side, checks, counts, worst errors, wall time.
      console.log(
        output
          .split('\n')
          .filter((l) => /^(x86_64|arm64 | {2}|PASS|FAIL|logits|worst|wall)/.test(l))
          .join('\n'),
      );
      for (const node of nodes) {
        expect(output, `the arm64 ${node} side must name the flavour it ran`).toMatch(
          new RegExp(`^arm64 ${node}: Node v[\\d.]+[^\\n]*\\n {2}index\\.handler ran: (js|wasm-simd|wasm-relaxed)`, 'm'),
        );
      }
      // Lambda's Node 22 and 24 have relaxed SIMD on by default: the deployed handler (auto) must use it, on both CPUs.
      for (const side of [...nodes.filter((n) => /^node2[24]$/.test(n)).map((n) => `arm64 ${n}`), ...x86.map((major) => `x86_64 node${major}`)]) {
        expect(output, `${side}: index.handler (auto) should run wasm-relaxed`).toMatch(
          new RegExp(`^${side}: Node v[\\d.]+[^\\n]*\\n {2}index\\.handler ran: wasm-relaxed;`, 'm'),
        );
      }
      expect(output).toMatch(/^arm64: [1-9]\d* passed, 0 failed$/m);
      expect(run.status, output.slice(-3000)).toBe(0);
    },
    30 * 60_000,
  );
});
