// The training recipe, on a small configuration (CI runs it; the full runs are in
// weights/cards/*.train.json): the loss goes down, and the same command writes the same
// bytes twice (one pinned CPU thread, fixed seeds) -- for Kim CNN on SST and SM CNN on TrecQA.
// A run is then shipped through the same tools users run (tinycnn convert, vectors convert)
// and served: the pipeline answers with the PyTorch module's labels on the predictions
// predict.py made from the shipped files.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvalSet, type ClassificationSet } from '../../src/eval/datasets.js';
import { evaluateClassifier } from '../../src/eval/evaluate.js';
import { loadTextClassifier } from '../../src/node/pipeline.js';
import { repoRoot } from '../helpers/paths.js';
import { PYTHON, requires } from '../helpers/requirements.js';

const torch = requires('the training recipe (converters/train/)', 'torch', 'numpy');
const dir = mkdtempSync(join(tmpdir(), 'tinycnn-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(script: string, args: string[]): void {
  const run = spawnSync(PYTHON, [join(repoRoot, 'converters', 'train', script), ...args], { encoding: 'utf8', timeout: 600_000 });
  if (run.status !== 0) throw new Error(`${script} ${args.join(' ')} failed:\n${run.stderr.slice(-3000)}`);
}

/** Two small trainings, or a conversion and a 1,821-sentence prediction, on a loaded 2-core box. */
const TRAINING_TIMEOUT_MS = 600_000;

function history(run: string): { loss: number }[] {
  return JSON.parse(readFileSync(join(dir, run, 'train.json'), 'utf8')).history;
}

describe.runIf(torch)('training recipe, small configuration', () => {
  it(
    'Kim CNN on 150 SST trees: loss goes down, the same command writes the same bytes',
    () => {
      const args = ['--task', 'sst2', '--limit', '150', '--dev-limit', '100', '--epochs', '2', '--ema', '0.99', '--word-dropout', '0.1'];
      python('train_kim.py', [...args, '--out', join(dir, 'kim-a')]);
      python('train_kim.py', [...args, '--out', join(dir, 'kim-b')]);
      const [first, second] = history('kim-a');
      expect(second!.loss).toBeLessThan(first!.loss);
      for (const file of ['model.pt', 'vocab.txt']) {
        expect(readFileSync(join(dir, 'kim-a', file)).equals(readFileSync(join(dir, 'kim-b', file))), file).toBe(true);
      }
    },
    TRAINING_TIMEOUT_MS,
  );

  it(
    'SM CNN on 6 TrecQA questions: loss goes down, the same command writes the same bytes',
    () => {
      const args = ['--limit', '6', '--epochs', '2', '--lr', '1e-3'];
      python('train_sm.py', [...args, '--out', join(dir, 'sm-a')]);
      python('train_sm.py', [...args, '--out', join(dir, 'sm-b')]);
      const [first, second] = history('sm-a');
      expect(second!.loss).toBeLessThan(first!.loss);
      for (const file of ['model.pt', 'vocab.txt', 'ext_feats.json']) {
        expect(readFileSync(join(dir, 'sm-a', file)).equals(readFileSync(join(dir, 'sm-b', file))), file).toBe(true);
      }
    },
    TRAINING_TIMEOUT_MS,
  );

  it(
    "a trained run ships through tinycnn convert + vectors convert and serves PyTorch's labels",
    () => {
      python('ship.py', [join(dir, 'kim-a'), 'kim-smoke', '--out-weights', join(dir, 'weights'), '--out-data', join(dir, 'predictions')]);
      const pytorch = JSON.parse(readFileSync(join(dir, 'predictions', 'kim-smoke.test.json'), 'utf8'));
      const classifier = loadTextClassifier({ weights: join(dir, 'weights', 'kim-smoke.safetensors'), vectors: join(dir, 'weights', 'kim-smoke.tcv') });
      const set = readEvalSet(readFileSync(join(repoRoot, 'data', 'sst', 'test.txt'), 'utf8'), 'test.txt', { task: 'sst2' }) as ClassificationSet;
      const report = evaluateClassifier(classifier, set, pytorch.rows);
      expect(report.pytorch).toMatchObject({ compared: 1821, differ: 0, tokensDiffer: 0 });
      expect(report.accuracy).toBe(pytorch.accuracy);
    },
    TRAINING_TIMEOUT_MS,
  );
});
