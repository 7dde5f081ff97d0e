/**
 * Text -> tokens, compatible with castorini's two front ends. Plain TS, no dependencies.
 *
 * Modes (the values of the weight-file metadata key `tinycnn.tokenizer`):
 *
 *   'clean_str_sst'  the training-side clean-up of Kim's CNN_sentence (process_data.py),
 *                    used by Castor for SST:
 *                        re.sub(r"[^A-Za-z0-9(),!?\'\`]", " ", s)
 *                        re.sub(r"\s{2,}", " ", s)
 *                        s.strip().lower()
 *                    then split on the single spaces that remain. Reproduced exactly:
 *                    every character outside the class (any non-ASCII code point, '.',
 *                    '-', tabs, ...) becomes a space, so "don’t" -> ["don", "t"] just as in
 *                    Python. Punctuation is NOT split off ("good," stays one token), as in
 *                    the reference; SST itself is pre-tokenized ("good , really !").
 *   'split'          their Lambda handler's `sentence.split(' ')` for clients that send
 *                    tokenized, lower-cased text; made safe: any run of Unicode whitespace
 *                    or control characters separates tokens, empty tokens never appear,
 *                    format characters (zero-width space/joiners, BOM, soft hyphen) are
 *                    removed, and the text is NFC-normalized so composed and decomposed
 *                    accents ("café") look up the same vocabulary key. Case is kept.
 *
 *   'ptb'            typed text -> the Penn-Treebank-style tokens of SST and TrecQA, lower-cased
 *                    ("I didn't like it (at all)!" -> i did n't like it ( at all ) !), the
 *                    tokenizer tinycnn's trained models use; see ptb.ts. It applies NFKC itself.
 *
 * Unicode: 'clean_str_sst' applies no normalization by default (byte-exact with the
 * Python reference, which is what the model saw in training); pass normalize: 'NFKC' to
 * fold compatibility forms first (ligatures "ﬁ" -> "fi", full-width "ｇｏｏｄ" -> "good").
 * 'split' uses NFC by default.
 */
import { TokenizeError } from './errors.js';
import { ptbTokens } from './ptb.js';

/** A tokenizer mode, as stored under `tinycnn.tokenizer` in a weight file. */
export type TokenizerMode = 'clean_str_sst' | 'split' | 'ptb';

/** All modes, in the order they are documented. */
export const TOKENIZER_MODES: readonly TokenizerMode[] = ['clean_str_sst', 'split', 'ptb'];

/** Mode used when a weight file records none: the one castorini trained with. */
export const DEFAULT_TOKENIZER: TokenizerMode = 'clean_str_sst';

/**
 * Default maximum number of tokens per text. A sentence classifier sees tens of tokens;
 * 512 bounds the work (and the DynamoDB keys) one request can cause.
 */
export const DEFAULT_MAX_TOKENS = 512;

/** Unicode normalization applied before tokenizing. */
export type Normalization = 'none' | 'NFC' | 'NFKC';

export interface TokenizerOptions {
  /** 'clean_str_sst' (default), 'split' or 'ptb'. */
  mode?: TokenizerMode;
  /** More tokens than this -> TokenizeError 'TOO_MANY_TOKENS'. Default DEFAULT_MAX_TOKENS. */
  maxTokens?: number;
  /** Default 'none' for clean_str_sst (exact reference), 'NFC' for split. */
  normalize?: Normalization;
  /**
   * clean_str_sst only, default false: also split off , ! ? ( ) and the clitics n't 's 've
   * 're 'd 'll 'm, Penn-Treebank style ("isn't bad!" -> is n't bad !), to match
   * pre-tokenized training text such as SST when clients send raw sentences.
   */
  splitPunctuation?: boolean;
  /** split only, default false (their handler did not lower-case). */
  lowercase?: boolean;
  /** Name of the input in error messages ('input', 'sent1', ...). Default 'input'. */
  field?: string;
}

/** A configured tokenizer: text -> tokens (at least 1, at most maxTokens); `field` names the input in errors. */
export type Tokenizer = (text: string, field?: string) => string[];

// Python's [^A-Za-z0-9(),!?\'\`]; the u flag makes one astral code point one match, like
// Python 3 str (the \s{2,} collapse makes the count irrelevant, but the intent is exact).
const SST_DROP = /[^A-Za-z0-9(),!?'`]/gu;
const SPACE_RUNS = /\s{2,}/g;
const PTB_SPLIT = /n't|'(?:s|ve|re|d|ll|m)(?![A-Za-z0-9])|[,!?()]/gi;
const FORMAT_CHARS = /\p{Cf}/gu;
const SEPARATORS = /[\s\p{Cc}]+/u;

/**
 * castorini's / Kim's clean_str_sst, exactly (a string, not yet split).
 * @param text raw text
 */
export function cleanStrSst(text: string): string {
  return text.replace(SST_DROP, ' ').replace(SPACE_RUNS, ' ').trim().toLowerCase();
}

/**
 * Reads a tokenizer mode from weight-file metadata.
 * @param value the `tinycnn.tokenizer` value, or undefined when absent (-> DEFAULT_TOKENIZER)
 * @param where the file, for the error message
 */
export function parseTokenizerMode(value: string | undefined, where = 'metadata'): TokenizerMode {
  if (value === undefined || value === '') return DEFAULT_TOKENIZER;
  if ((TOKENIZER_MODES as readonly string[]).includes(value)) return value as TokenizerMode;
  throw new TokenizeError('TEXT_INVALID', where, `unknown tokenizer mode ${JSON.stringify(value)} (expected ${TOKENIZER_MODES.join(' or ')})`);
}

/**
 * Tokenizes one text.
 * @param text the sentence; must be a string
 * @param options mode, limits, normalization (see TokenizerOptions)
 * @returns 1..maxTokens tokens
 */
export function tokenize(text: string, options: TokenizerOptions = {}): string[] {
  const mode = options.mode ?? DEFAULT_TOKENIZER;
  const field = options.field ?? 'input';
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  if (typeof text !== 'string') {
    throw new TokenizeError('TEXT_INVALID', field, `expected a string, got ${text === null ? 'null' : typeof text}`);
  }
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new TokenizeError('TEXT_INVALID', field, `maxTokens must be a positive integer, got ${maxTokens}`);
  }
  let tokens: string[];
  if (mode === 'clean_str_sst') {
    let s = normalizeText(text, options.normalize ?? 'none');
    s = s.replace(SST_DROP, ' ');
    if (options.splitPunctuation) s = s.replace(PTB_SPLIT, ' $& ');
    s = s.replace(SPACE_RUNS, ' ').trim().toLowerCase();
    tokens = s === '' ? [] : s.split(' ');
  } else if (mode === 'ptb') {
    tokens = ptbTokens(text);
  } else if (mode === 'split') {
    // format characters go first: removed after normalizing, one between a letter and its accent
    // ("e\u200d\u0301") would leave the decomposed form behind, a different vocabulary key
    const form = options.normalize ?? 'NFC';
    const s = normalizeText(text.replace(FORMAT_CHARS, ''), form);
    tokens = s.split(SEPARATORS).filter((t) => t !== '');
    if (options.lowercase) tokens = tokens.map((t) => normalizeText(t.toLowerCase(), form));
  } else {
    throw new TokenizeError('TEXT_INVALID', field, `unknown tokenizer mode ${JSON.stringify(mode)}`);
  }
  if (tokens.length === 0) {
    throw new TokenizeError('NO_TOKENS', field, `no tokens left after ${mode} (text of ${text.length} characters)`);
  }
  if (tokens.length > maxTokens) {
    throw new TokenizeError('TOO_MANY_TOKENS', field, `${tokens.length} tokens, more than the maximum of ${maxTokens}`);
  }
  return tokens;
}

/**
 * A tokenizer with fixed options, e.g. from a weight file's `tinycnn.tokenizer`.
 * @param options as for tokenize(); `field` can be overridden per call
 */
export function createTokenizer(options: TokenizerOptions = {}): Tokenizer {
  return (text, field) => tokenize(text, field === undefined ? options : { ...options, field });
}

function normalizeText(text: string, form: Normalization): string {
  return form === 'none' ? text : text.normalize(form);
}
