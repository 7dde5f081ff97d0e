// `tinycnn classify` is a thin shell over the library's pipeline: the same answers as
// pipeline('sentiment-analysis') in this process, one JSON line per sentence.
import { describe, expect, it } from 'vitest';
import { pipeline } from '../../src/node/index.js';
import { tinycnn } from '../helpers/cli.js';

const classifier = pipeline('sentiment-analysis', { backend: 'js' });

function expectSameAnswer(line: string, text: string): void {
  const printed = JSON.parse(line) as { input: string; label: string; logits: number[]; tokens: string[]; unknown: string[] };
  const expected = classifier.classify(text);
  expect(printed.input).toBe(text);
  expect(printed.label).toBe(expected.label);
  expect(printed.tokens).toEqual(expected.tokens);
  expect(printed.unknown).toEqual(expected.unknown);
  printed.logits.forEach((v, i) => expect(Math.abs(v - expected.logits[i])).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(expected.logits[i]))));
}

describe('tinycnn classify', () => {
  it('classifies the sentence given as arguments', () => {
    const run = tinycnn(['classify', 'a', 'gripping', ',', 'funny', 'film']);
    expect(run.status, run.stderr).toBe(0);
    expectSameAnswer(run.stdout.trim(), 'a gripping , funny film');
  });

  it('classifies each stdin line; a line with no tokens is reported and makes the exit status 1', () => {
    const run = tinycnn(['classify'], { input: 'so good\n\n\u200b\u200d\nso bad\n' });
    expect(run.status).toBe(1);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expectSameAnswer(lines[0], 'so good');
    expectSameAnswer(lines[1], 'so bad');
    expect(run.stderr).toMatch(/tinycnn classify: .*no tokens .*\(NO_TOKENS\)/);
  });
});
