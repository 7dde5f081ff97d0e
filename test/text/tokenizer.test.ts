import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { TokenizeError } from '../../src/text/errors.js';
import { cleanStrSst, createTokenizer, DEFAULT_MAX_TOKENS, parseTokenizerMode, tokenize } from '../../src/text/tokenizer.js';
import { PYTHON, requires } from '../helpers/requirements.js';

// Tricky inputs; the expected clean_str_sst output comes from Python's own regexes.
const TRICKY = [
  "It's a GREAT movie!!!",
  'this is a very good movie',
  'don\u2019t stop',
  'na\u00efve caf\u00e9 and cafe\u0301',
  '\ufb01lm \uff47\uff4f\uff4f\uff44',
  'emoji \u{1F600} here \u{1F44D}\u{1F3FD}!',
  'tabs\tand\nnewlines\r\nand\u00a0nbsp\u3000ideographic',
  '   leading and trailing   ',
  'a--b ... c.d',
  '(parens) [brackets] {braces} <unk>',
  "``quoted'' and 'single' and `back`",
  '1,000.50 dollars, 3/4 of it',
  "rock 'n' roll isn't dead, is it?",
  '\u0000nul\u0007bell\u200bzero\u200dwidth\ufeffbom',
  'lone \ud800 surrogate \udc00x',
  '\u0130stanbul STRASSE stra\u00dfe',
  '',
  '   ',
  '...',
  '!?!',
  "I can't believe it's not butter -- really ( sort of ) !",
];

function pythonCleanStrSst(texts: string[]): string[] {
  const py = [
    'import json, re, sys',
    'def clean_str_sst(string):',
    '    string = re.sub(r"[^A-Za-z0-9(),!?\\\'\\`]", " ", string)',
    '    string = re.sub(r"\\s{2,}", " ", string)',
    '    return string.strip().lower()',
    'texts = json.loads(sys.stdin.read())',
    'print(json.dumps([clean_str_sst(t) for t in texts]))',
  ].join('\n');
  const out = execFileSync(PYTHON, ['-c', py], { input: JSON.stringify(texts), encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

describe('clean_str_sst', () => {
  const python = requires("clean_str_sst against Python's re", 'python3');
  let expected: string[] = [];
  beforeAll(() => {
    if (python) expected = pythonCleanStrSst(TRICKY);
  });

  it.runIf(python)('matches the Python reference on tricky strings', () => {
    TRICKY.forEach((t, i) => expect(cleanStrSst(t), JSON.stringify(t)).toBe(expected[i]));
  });

  it.runIf(python)('tokens are the reference string split on spaces; empty -> NO_TOKENS', () => {
    TRICKY.forEach((t, i) => {
      if (expected[i] === '') {
        expect(() => tokenize(t)).toThrowError(TokenizeError);
        return;
      }
      expect(tokenize(t)).toEqual(expected[i].split(' '));
    });
  });

  it('keeps the reference behaviour for punctuation unless splitPunctuation', () => {
    expect(tokenize("It isn't bad, really!")).toEqual(['it', "isn't", 'bad,', 'really!']);
    expect(tokenize("It isn't bad, really!", { splitPunctuation: true })).toEqual(['it', 'is', "n't", 'bad', ',', 'really', '!']);
    expect(tokenize("(we're) it's", { splitPunctuation: true })).toEqual(['(', 'we', "'re", ')', 'it', "'s"]);
  });

  it('NFKC on request folds compatibility characters', () => {
    expect(tokenize('\ufb01lm \uff47\uff4f\uff4f\uff44')).toEqual(['lm']);
    expect(tokenize('\ufb01lm \uff47\uff4f\uff4f\uff44', { normalize: 'NFKC' })).toEqual(['film', 'good']);
  });
});

describe('split mode', () => {
  const split = (t: string, o = {}) => tokenize(t, { mode: 'split', ...o });

  it('splits on whitespace runs of any kind, never yields empty tokens, keeps case and punctuation', () => {
    expect(split('this  is\ta\n\nvery\u00a0good\u3000Movie .')).toEqual(['this', 'is', 'a', 'very', 'good', 'Movie', '.']);
    expect(split('  lead trail  ')).toEqual(['lead', 'trail']);
  });

  it('drops format characters, treats control characters as separators, NFC-normalizes', () => {
    expect(split('zero\u200bwidth\ufeff bom\u0000nul')).toEqual(['zerowidth', 'bom', 'nul']);
    expect(split('cafe\u0301')).toEqual(['caf\u00e9']);
    expect(split('cafe\u0301', { normalize: 'none' })).toEqual(['cafe\u0301']);
  });

  it('lowercase option', () => {
    expect(split('Good MOVIE', { lowercase: true })).toEqual(['good', 'movie']);
  });

  it('a format character between a letter and its accent does not leave the decomposed form (found by test/fuzz)', () => {
    expect(split('cafe\u200d\u0301')).toEqual(['caf\u00e9']);
    expect(split("do\u202e\u0301't")).toEqual(["d\u00f3't"]); // fuzz case 33222, seed 16
    expect(split('t\u200b\u0308is')).toEqual(['\u1e97is']); // fuzz case 37929
    expect(split('CAFE\u200d\u0301', { lowercase: true })).toEqual(['caf\u00e9']);
  });
});

describe('limits and errors', () => {
  it('maxTokens: default 512, beyond it TOO_MANY_TOKENS', () => {
    expect(DEFAULT_MAX_TOKENS).toBe(512);
    expect(tokenize(Array(512).fill('w').join(' '))).toHaveLength(512);
    let err: unknown;
    try {
      tokenize(Array(513).fill('w').join(' '), { field: 'sent1' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TokenizeError);
    expect((err as TokenizeError).code).toBe('TOO_MANY_TOKENS');
    expect((err as TokenizeError).message).toMatch(/^sent1: 513 tokens/);
    expect(() => tokenize('a b c', { maxTokens: 2 })).toThrow(/more than the maximum of 2/);
  });

  it('zero tokens and non-strings are typed errors', () => {
    for (const [t, mode] of [
      ['', 'clean_str_sst'],
      ['...', 'clean_str_sst'],
      [' \t\n', 'split'],
      ['\u200b', 'split'],
    ] as const) {
      expect(() => tokenize(t, { mode })).toThrowError(expect.objectContaining({ code: 'NO_TOKENS' }));
    }
    expect(() => tokenize(42 as unknown as string)).toThrowError(expect.objectContaining({ code: 'TEXT_INVALID' }));
  });

  it('modes from weight-file metadata', () => {
    expect(parseTokenizerMode(undefined)).toBe('clean_str_sst');
    expect(parseTokenizerMode('split')).toBe('split');
    expect(() => parseTokenizerMode('bert', 'kim.safetensors')).toThrow(/kim.safetensors: unknown tokenizer mode "bert"/);
  });

  it('createTokenizer fixes options, field per call', () => {
    const tok = createTokenizer({ mode: 'split', maxTokens: 3 });
    expect(tok('a b')).toEqual(['a', 'b']);
    expect(() => tok('a b c d', 'sent2')).toThrow(/^sent2: 4 tokens/);
  });
});
