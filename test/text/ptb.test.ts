// The `ptb` tokenizer: typed text -> the treebank tokens the trained models learned.
// The full contract (space-joined SST / TrecQA leaves -> exactly the Python side's tokens,
// on every test sentence) is checked against PyTorch's committed predictions in
// test/eval/accuracy.test.ts; here, the rules one by one.
import { describe, expect, it } from 'vitest';
import { ptbTokens } from '../../src/text/ptb.js';
import { tokenize } from '../../src/text/tokenizer.js';
import { detokenize } from '../../src/eval/detokenize.js';

const split = (s: string) => s.split(' ');

describe('ptb tokenizer', () => {
  it.each([
    ["I didn't like it (at all)!", "i did n't like it ( at all ) !"],
    ["Can't, won't, ain't, cannot", "ca n't , wo n't , ai n't , can not"],
    ["It's the actors' film; they're great.", "it 's the actors ' film ; they 're great ."],
    ['Mr. Smith, the U.S. and J. Doe', 'mr . smith , the u.s . and j . doe'],
    ['"Quoted" and \u201ccurly\u201d and ``ptb\'\'', '" quoted " and " curly " and " ptb "'],
    ["\u2018single\u2019 and `back'", "' single ' and ' back '"],
    ['50,000 people at 3:30, 1.5 hours: wow', '50,000 people at 3:30 , 1.5 hours : wow'],
    ['well-made and/or so-so \u2014 really\u2026 yes...', 'well-made and/or so-so -- really ... yes ...'],
    ["rock 'n' roll in the '70s, 'em, ol' o'clock", "rock 'n' roll in the '70s , 'em , ol' o'clock"],
    ['$5 for 10% of #9?!', '$ 5 for 10 % of # 9 ? !'],
    ['-LRB- escaped -RRB- writer\\/director \\*\\*\\*', '( escaped ) writer/director ***'],
    ['full-width \uff47\uff4f\uff4f\uff44 and \ufb01lm', 'full-width good and film'],
    ['zero\u200bwidth\u00a0nbsp\ttab', 'zerowidth nbsp tab'],
    ['great\u{1F600}\u{1F44D}\u{1F3FD} film\u00a9 for \u20ac5', 'great \u{1F600} \u{1F44D} \u{1F3FD} film \u00a9 for \u20ac 5'],
  ])('%j', (text, want) => {
    expect(ptbTokens(text)).toEqual(split(want));
  });

  it('is a tokenizer mode with the usual limits', () => {
    expect(tokenize("Don't!", { mode: 'ptb' })).toEqual(['do', "n't", '!']);
    expect(() => tokenize('  ', { mode: 'ptb' })).toThrow(/no tokens/);
    expect(() => tokenize('a b c', { mode: 'ptb', maxTokens: 2 })).toThrow(/more than the maximum/);
  });

  it('maps its own detokenization back onto the treebank leaves', () => {
    const leaves = split(
      "The Rock is destined to be the 21st Century 's new `` Conan '' and that he 's going to make a splash even greater than Arnold Schwarzenegger , Jean-Claud Van Damme or Steven Segal .",
    );
    expect(detokenize(leaves)).toBe(
      'The Rock is destined to be the 21st Century\'s new "Conan" and that he\'s going to make a splash even greater than Arnold Schwarzenegger, Jean-Claud Van Damme or Steven Segal.',
    );
    expect(ptbTokens(detokenize(leaves))).toEqual(ptbTokens(leaves.join(' ')));
  });
});
