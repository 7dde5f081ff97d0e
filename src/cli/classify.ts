/**
 * `tinycnn classify [SENTENCE...]`: Kim CNN on a sentence given on the command
 * line, or on each non-empty line of stdin, with the default weights and word
 * vectors (or --model / --vectors). It runs the very handler a Lambda function
 * runs (INIT once, then one direct invocation per sentence) and prints the
 * handler's JSON answer, one line per sentence.
 */
import { parseArgs } from 'node:util';
import { readConfig } from '../lambda/config.js';
import { createHandler } from '../lambda/handler.js';
import { UsageError } from './usage.js';
import { parseBackend, readStream } from './options.js';

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
  const env: Record<string, string | undefined> = { ...process.env, TINYCNN_MODEL: 'kim' };
  if (values.model !== undefined) env.TINYCNN_WEIGHTS = values.model;
  if (values.vectors !== undefined) env.TINYCNN_VECTORS = values.vectors;
  if (values.backend !== undefined) env.TINYCNN_BACKEND = parseBackend(values.backend);
  if (values['no-verify']) env.TINYCNN_VERIFY = '0';

  const sentences = positionals.length > 0 ? [positionals.join(' ')] : await stdinLines();
  if (sentences.length === 0) throw new UsageError('give a sentence: tinycnn classify "a gripping , funny film" (or one per line on stdin)');

  const handler = await createHandler(readConfig(env), { log: (line) => console.error(line) });
  let failures = 0;
  for (const sentence of sentences) {
    const response = await handler({ input: sentence });
    if (response.statusCode === 200) {
      console.log(response.body);
    } else {
      failures++;
      const { error } = JSON.parse(response.body) as { error: { code: string; message: string } };
      console.error(`tinycnn classify: ${error.message} (${error.code})`);
    }
  }
  return failures === 0 ? 0 : 1;
}

async function stdinLines(): Promise<string[]> {
  if (process.stdin.isTTY) return [];
  return (await readStream(process.stdin)).split('\n').map((line) => line.trim()).filter((line) => line !== '');
}
