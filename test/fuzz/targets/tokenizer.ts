/**
 * The tokenizer on mutated sentences, in every mode. A case passes when tokenize() returns tokens
 * with the mode's invariants or throws a TokenizeError:
 *   clean_str_sst  1..maxTokens tokens, each a run of [a-z0-9(),!?'`] (the reference's class,
 *                  lower-cased); cleaning the joined tokens again gives the same tokens (without
 *                  the Penn-Treebank split, which is not a fixed point)
 *   split          1..maxTokens non-empty tokens without whitespace, control or format characters,
 *                  NFC-normalized (so composed and decomposed accents meet the same vocabulary key)
 */
import { tokenize, type TokenizerOptions } from '../../../src/text/tokenizer.js';
import { mutateText } from '../mutate.js';
import { ensure, typed, type FuzzTarget } from '../target.js';

const SEEDS = [
  'this is a very good movie',
  "it 's not bad , is n't it ?",
  "don't (really) like it!",
  'Café naïve résumé',
  'a gripping , funny and heartfelt film',
  '日本語 の テキスト',
  'who wrote the book',
  'the book was written by a young author',
];
const MODES: TokenizerOptions[] = [
  { mode: 'clean_str_sst' },
  { mode: 'clean_str_sst', splitPunctuation: true },
  { mode: 'clean_str_sst', normalize: 'NFKC' },
  { mode: 'split' },
  { mode: 'split', lowercase: true },
  { mode: 'split', maxTokens: 8 },
];
const SST_TOKEN = /^[a-z0-9(),!?'`]+$/;
const SPLIT_BAD = /[\s\p{Cc}\p{Cf}]/u;

interface Input {
  text: string;
  options: TokenizerOptions;
}

export const tokenizerTarget: FuzzTarget<null, Input> = {
  setup: () => null,
  make(_, rng) {
    const { text, ops } = mutateText(rng, rng.pick(SEEDS));
    return { input: { text, options: rng.pick(MODES) }, ops };
  },
  async check(_, { text, options }) {
    const result = await typed(() => tokenize(text, options));
    if ('code' in result) return result.code;
    const tokens = result.value;
    const max = options.maxTokens ?? 512;
    ensure(tokens.length >= 1 && tokens.length <= max, `${tokens.length} tokens (limit ${max})`);
    if (options.mode === 'clean_str_sst') {
      for (const t of tokens) ensure(SST_TOKEN.test(t), `clean_str_sst token ${JSON.stringify(t)} outside the reference's class`);
      if (!options.splitPunctuation) {
        // (the Penn-Treebank split is not a fixed point: "c'sn't" -> c's n't -> c 's n't)
        const again = tokenize(tokens.join(' '), options);
        ensure(again.join(' ') === tokens.join(' '), `clean_str_sst is not stable: ${JSON.stringify(tokens)} -> ${JSON.stringify(again)}`);
      }
    } else {
      for (const t of tokens) {
        ensure(t !== '' && !SPLIT_BAD.test(t), `split token ${JSON.stringify(t)} holds whitespace, a control or a format character`);
        ensure(t === t.normalize('NFC'), `split token ${JSON.stringify(t)} is not NFC`);
      }
    }
    return 'ok';
  },
  save: ({ text, options }) => JSON.stringify({ text, options }),
};
