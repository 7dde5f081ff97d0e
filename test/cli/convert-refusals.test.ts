// `tinycnn convert` on checkpoints it must refuse, built with PyTorch (issue 16): a pickle whose whole
// content is a call to builtins.eval is named as the call that was not run (it read "holds a eval"),
// and NaN / infinite weights are refused at export with the tensor and element.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tinycnn } from '../helpers/cli.js';
import { PYTHON, requires } from '../helpers/requirements.js';

const torch = requires('tinycnn convert refusals of hostile checkpoints', 'torch');

const dir = mkdtempSync(join(tmpdir(), 'tinycnn-refusals-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(script: string): void {
  const run = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8', cwd: dir });
  expect(run.status, run.stderr).toBe(0);
}

describe.runIf(torch)('tinycnn convert refusals', () => {
  it('a pickle that is a call to eval: exit 2, one line naming the call, nothing run', () => {
    const marker = join(dir, 'pwned');
    python(
      `import torch\nclass Evil:\n    def __reduce__(self):\n        return (eval, ("__import__('os').system('touch ${marker}')",))\ntorch.save(Evil(), 'eval.pt')`,
    );
    const run = tinycnn(['convert', join(dir, 'eval.pt'), join(dir, 'out.safetensors')]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/holds the result of (__builtin__|builtins)\.eval\(\.\.\.\), which was not run/);
    expect(run.stderr).not.toMatch(/holds a eval/);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'out.safetensors'))).toBe(false);
  });

  it('a state_dict with one NaN weight: refused at export, naming tensor and element', () => {
    python(
      'import torch\n' +
        "sd = {f'conv{i}.weight': torch.zeros(3, 1, k, 4) for i, k in ((1, 3), (2, 4), (3, 5))}\n" +
        "sd.update({f'conv{i}.bias': torch.zeros(3) for i in (1, 2, 3)})\n" +
        "sd['fc1.weight'] = torch.zeros(2, 9); sd['fc1.bias'] = torch.zeros(2)\n" +
        "sd['fc1.weight'][1, 4] = float('nan')\n" +
        "torch.save(sd, 'nan.pt')",
    );
    const run = tinycnn(['convert', join(dir, 'nan.pt'), join(dir, 'nan.safetensors')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/tensor fc1\.weight holds nan at element 13 \[1, 4\]/);
  });
});
