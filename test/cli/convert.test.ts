// End to end as a user does it: castorini-format checkpoints (whole-model pickles, legacy and zip, GPU-saved,
// state_dicts; written by converters/make_checkpoints.py with PyTorch, class paths model.KimCNN / model.SMModel)
// -> `tinycnn convert` -> `tinycnn logits`, compared with the logits PyTorch computed for the same input.
// Only the tests that read or write checkpoints need PyTorch; the CLI's own errors run everywhere.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOLERANCE } from '../../src/model/certificate.js';
import { inputFromRecipes, type ExtRecipe, type Recipe } from '../helpers/recipe.js';
import { repoRoot, tinycnn } from '../helpers/cli.js';
import { PYTHON, requires } from '../helpers/requirements.js';

interface Case {
  file: string;
  format: string;
  architecture: string;
  input: Record<string, Recipe | ExtRecipe>;
  input_sha256: Record<string, string>;
  logits: number[];
}

const dir = mkdtempSync(join(tmpdir(), 'tinycnn-convert-'));
let cases: Case[] = [];

/** The JSON form `tinycnn logits` reads: rows of floats (multichannel: a list of channels). */
function inputJson(c: Case): unknown {
  const { input, hashes } = inputFromRecipes(c.input);
  expect(hashes).toEqual(c.input_sha256);
  const rows = (data: Float32Array, tokens: number, channels = 1) => {
    const dim = data.length / tokens / channels;
    const channel = (ch: number) => Array.from({ length: tokens }, (_, t) => Array.from(data.subarray((ch * tokens + t) * dim, (ch * tokens + t + 1) * dim)));
    return channels === 1 ? channel(0) : Array.from({ length: channels }, (_, ch) => channel(ch));
  };
  if ('x' in input) return { x: rows(input.x.data, input.x.tokens, (c.input.x as Recipe).channels) };
  return { q: rows(input.q.data, input.q.tokens), a: rows(input.a.data, input.a.tokens), ...(input.ext ? { ext: Array.from(input.ext) } : {}) };
}

const torch = requires('tinycnn convert on PyTorch checkpoints', 'torch');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf(torch)('tinycnn convert + tinycnn logits on castorini checkpoints', () => {
  beforeAll(() => {
    const made = spawnSync(PYTHON, [join(repoRoot, 'converters', 'make_checkpoints.py'), dir], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    cases = (JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as { checkpoints: Case[] }).checkpoints;
  });

  it('covers every kind of checkpoint', () => {
    const formats = new Set(cases.map((c) => c.format));
    expect(cases.length).toBeGreaterThanOrEqual(12);
    expect([...formats].join(' ')).toMatch(/legacy/);
    expect([...formats].join(' ')).toMatch(/state_dict/);
    expect(cases.some((c) => /gpu/.test(c.file))).toBe(true);
  });

  it(
    'reproduces PyTorch on each one',
    () => {
      let worst = 0;
      for (const c of cases) {
        const out = join(dir, `${c.file}.safetensors`);
        const converted = tinycnn(['convert', join(dir, c.file), out]);
        expect(converted.status, `${c.file}: ${converted.stderr}`).toBe(0);
        expect(converted.stderr).toMatch(/parity certificate ok/);
        const inputPath = join(dir, `${c.file}.input.json`);
        writeFileSync(inputPath, JSON.stringify(inputJson(c)));
        const run = tinycnn(['logits', '--model', out, '--input', inputPath]);
        expect(run.status, `${c.file}: ${run.stderr}`).toBe(0);
        const { logits } = JSON.parse(run.stdout) as { logits: number[] };
        expect(logits).toHaveLength(c.logits.length);
        c.logits.forEach((ref, j) => {
          const error = Math.abs(logits[j] - ref) / (1 + Math.abs(ref));
          worst = Math.max(worst, error);
          expect(error, `${c.file} logit ${j}: ${logits[j]} vs PyTorch ${ref}`).toBeLessThanOrEqual(TOLERANCE);
        });
      }
      console.log(`convert e2e: ${cases.length} checkpoints, largest error ${worst.toExponential(2)} x (1 + |ref|)`);
    },
    5 * 60_000,
  ); // a Python process importing torch per checkpoint: ~40 s on a quiet 2-core box, over 60 s on a busy one

  it('prints a list for a batch', () => {
    const c = cases.find((k) => k.architecture === 'SMModel')!;
    const out = join(dir, `${c.file}.safetensors`);
    const inputPath = join(dir, 'batch.json');
    writeFileSync(inputPath, JSON.stringify([inputJson(c), inputJson(c)]));
    const run = tinycnn(['logits', '--model', out, '--input', inputPath]);
    expect(run.status, run.stderr).toBe(0);
    const rows = JSON.parse(run.stdout) as Array<{ logits: number[] }>;
    expect(rows).toHaveLength(2);
    expect(rows[0].logits).toEqual(rows[1].logits);
  });
});

describe('errors are one clear line and a non-zero exit', () => {
  it.runIf(torch)('a file that is not a checkpoint (PyTorch tells)', () => {
    const bogus = join(dir, 'bogus.pt');
    writeFileSync(bogus, 'not a pickle');
    const run = tinycnn(['convert', bogus, join(dir, 'bogus.safetensors')]);
    expect(run.status).not.toBe(0);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('an unknown kind of file', () => {
    const notes = join(dir, 'notes.json');
    writeFileSync(notes, '{}');
    const run = tinycnn(['convert', notes, join(dir, 'x.safetensors')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/unknown kind "\.json"/);
  });

  it('a bad input to logits', () => {
    const inputPath = join(dir, 'bad.json');
    writeFileSync(inputPath, JSON.stringify({ x: [[1, 2, 3]] }));
    const run = tinycnn(['logits', '--model', join(repoRoot, 'weights', 'kim-sst2.safetensors'), '--input', inputPath]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe("tinycnn logits: input.x[0]: has 3 values, the model's word vectors have 300");
  });

  it('a broken weight file', () => {
    const broken = join(dir, 'broken.safetensors');
    writeFileSync(broken, readFileSync(join(repoRoot, 'weights', 'sm-trecqa.safetensors')).subarray(0, 5000));
    const run = tinycnn(['logits', '--model', broken, '--input', join(dir, 'bad.json')]);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/broken\.safetensors.*truncated/);
  });

  it('missing arguments and unknown commands', () => {
    expect(tinycnn(['logits']).status).toBe(2);
    const unknown = tinycnn(['frobnicate']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });
});
