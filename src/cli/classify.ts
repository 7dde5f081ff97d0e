/**
 * `tinycnn classify [SENTENCE...]`: Kim CNN on a sentence given on the command line,
 * or on each non-empty line of stdin, through the library's pipeline: the shipped
 * weights and word vectors (or --model / --vectors), one JSON line per sentence with
 * its label, probabilities, logits, tokens and unknown words.
 */
import { parseArgs } from 'node:util';
import { TinyCnnError } from '../errors.js';
import { loadTextClassifier } from '../node/pipeline.js';
import { parseBackend, readStream } from './options.js';
import { UsageError } from './usage.js';

export async function runClassify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      model: { type: 'string', short: 'm' }, // Kim CNN weight file
      vectors: { type: 'string' }, // embedded vector store file
      backend: { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
    },
  });
  const sentences = positionals.length > 0 ? [positionals.join(' ')] : await stdinLines();
  if (sentences.length === 0) throw new UsageError('give a sentence: tinycnn classify "a gripping , funny film" (or one per line on stdin)');

  const classifier = loadTextClassifier({
    weights: values.model,
    vectors: values.vectors,
    backend: parseBackend(values.backend),
    verify: !values['no-verify'],
  });
  let failures = 0;
  for (const input of sentences) {
    try {
      const { label, prediction, probabilities, logits, tokens, unknown } = classifier.classify(input);
      console.log(JSON.stringify({ input, label, prediction, probabilities, logits, tokens, unknown }));
    } catch (error) {
      if (!(error instanceof TinyCnnError)) throw error;
      failures++;
      console.error(`tinycnn classify: ${error.message} (${error.code})`);
    }
  }
  return failures === 0 ? 0 : 1;
}

async function stdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  return (await readStream(process.stdin)).split('\n').map((line) => line.trim()).filter((line) => line !== '');
}
