/**
 * `tinycnn classify [SENTENCE...]`: Kim CNN on a sentence given on the command line,
 * or on each non-empty line of stdin, through the library's pipeline: the shipped
 * weights and word vectors (or --model / --vectors), one JSON line per sentence with
 * its label, probabilities, logits, tokens and unknown words.
 */
import { TinyCnnError } from '../errors.js';
import { SHIPPED_MODELS, type ShippedModelName } from '../pipeline/defaults.js';
import { loadTextClassifier, type PipelineOptions } from '../node/pipeline.js';
import { parseFlags, withUsage } from './flags.js';
import { parseBackend, readStream } from './options.js';
import { UsageError } from './usage.js';

export const CLASSIFY_USAGE = `usage: tinycnn classify [SENTENCE...] [options]
  SENTENCE...      the words of one sentence; without any, each non-empty line of stdin is one
  --model M        a shipped model (${Object.keys(SHIPPED_MODELS)
    .filter((m) => m !== 'sm')
    .join(', ')}; default kim, SST-2) or a
                   Kim CNN weight file (.safetensors, e.g. from tinycnn convert)
  --vectors FILE   word vectors for --model FILE (a .tcv store; default: the shipped store of
                   the model's width)
  --backend B      auto, js, wasm-simd or wasm-relaxed (default $TINYCNN_BACKEND, else auto)
  --no-verify      do not re-run the weight file's parity certificate at load
  --json           one JSON object per sentence: input, label, prediction, probabilities,
                   logits, tokens, unknown (this is the only output form; the flag is accepted
                   so scripts can ask for it as from every other command)
A sentence that cannot be classified (no tokens) is reported on stderr and the exit code is 1.`;

export async function runClassify(argv: string[]): Promise<number> {
  return withUsage('classify', CLASSIFY_USAGE, argv, async () => {
    const { values, positionals } = parseFlags({
      args: argv,
      allowPositionals: true,
      options: {
        model: { type: 'string', short: 'm' },
        vectors: { type: 'string' },
        backend: { type: 'string' },
        'no-verify': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
      },
    });
    const sentences = positionals.length > 0 ? [positionals.join(' ')] : await stdinLines();
    if (sentences.length === 0) throw new UsageError('give a sentence: tinycnn classify "a gripping , funny film" (or one per line on stdin)');
    const shipped = values.model !== undefined && Object.hasOwn(SHIPPED_MODELS, values.model);
    if (values.vectors !== undefined && (values.model === undefined || shipped)) throw new UsageError('--vectors goes with --model FILE');
    const options: PipelineOptions = {
      ...(shipped ? { model: values.model as ShippedModelName } : { weights: values.model }),
      vectors: values.vectors,
      backend: parseBackend(values.backend),
      verify: !values['no-verify'],
    };
    const classifier = loadTextClassifier(options);
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
  });
}

async function stdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  return (await readStream(process.stdin))
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}
