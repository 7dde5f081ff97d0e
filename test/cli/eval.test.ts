// `tinycnn eval` as a user runs it (the built CLI): a labelled set through the serving path,
// compared with PyTorch's committed predictions; typed text costs at most one point of
// accuracy against the treebank's tokens (issue 12's bound for text as people type it).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tinycnn } from '../helpers/cli.js';
import { repoRoot } from '../helpers/paths.js';

const dir = mkdtempSync(join(tmpdir(), 'tinycnn-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const committed = (name: string) => JSON.parse(readFileSync(join(repoRoot, 'data', 'predictions', `${name}.test.json`), 'utf8'));

function evalJson(args: string[]) {
  const run = tinycnn(['eval', ...args, '--json']);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout);
}

describe('tinycnn eval', () => {
  it("SST-2 test: PyTorch's accuracy and labels; typed text within one point of the tokens", () => {
    const pytorch = committed('kim-sst2');
    const tokenized = evalJson(['data/sst/test.txt']);
    expect(tokenized).toMatchObject({ task: 'sst2', form: 'tokenized', model: 'kim', items: 1821, accuracy: pytorch.accuracy });
    expect(tokenized.pytorch).toMatchObject({ compared: 1821, differ: 0, tokensDiffer: 0 });
    const typed = evalJson(['data/sst/test.txt', '--typed']);
    expect(typed.form).toBe('typed');
    expect(Math.abs(typed.accuracy - tokenized.accuracy)).toBeLessThanOrEqual(0.01);
  });

  it("TrecQA TEST: PyTorch's MAP and MRR, raw and clean, and its rankings", () => {
    const pytorch = committed('sm-trecqa');
    const report = evalJson(['data/trecqa/TEST.xml']);
    expect(report.raw).toEqual({ map: pytorch.map, mrr: pytorch.mrr, questions: 95 });
    expect(report.clean).toEqual({ map: pytorch.map_clean, mrr: pytorch.mrr_clean, questions: 68 });
    expect(report.pytorch).toMatchObject({ compared: 95, differ: 0, tokensDiffer: 0 }); // the 5 questions without candidates have no ranking
  });

  it('reads JSONL and TSV sets, labels by index or by name; prints text by default', () => {
    const jsonl = join(dir, 'set.jsonl');
    writeFileSync(jsonl, ['{"text": "A dreadful, boring film.", "label": "negative"}', '{"sentence": "a gripping , funny film", "label": 1}'].join('\n'));
    expect(evalJson([jsonl])).toMatchObject({ kind: 'classification', items: 2 });
    const tsv = join(dir, 'pairs.tsv');
    writeFileSync(tsv, 'who wrote hamlet?\tShakespeare wrote Hamlet.\t1\nwho wrote hamlet?\tIt rained all day.\t0\n');
    const ranking = evalJson([tsv]);
    expect(ranking).toMatchObject({ kind: 'ranking', pairs: 2, raw: { questions: 1 } });
    const text = tinycnn(['eval', tsv]);
    expect(text.status, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/raw: +MAP \d\.\d{4} +MRR \d\.\d{4} \(1 questions\)/);
    expect(text.stdout).toMatch(/PyTorch: no committed predictions/);
  });

  it('a label the model does not have, and a wrong task, are one-line errors', () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "fine", "label": "meh"}\n');
    const run = tinycnn(['eval', bad]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toMatch(/^tinycnn eval: item 1: label "meh" is not one of the model's 2 classes \(negative, positive\)$/);
    const usage = tinycnn(['eval', 'data/sst/test.txt', '--task', 'sst1', '--model', 'kim']);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/sst1 has 5 classes, the model 2/);
  });
});
