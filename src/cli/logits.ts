/**
 * `tinycnn logits --model M.safetensors --input X.json`: raw logits of one
 * input ({"logits": [...]}) or of a batch (a JSON list in, a list out).
 */
import { parseArgs } from 'node:util';
import { inputFromJson } from '../model/input.js';
import { loadModel } from '../node/files.js';
import { UsageError } from './usage.js';
import { parseBackend, readJson } from './options.js';

export async function runLogits(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      model: { type: 'string', short: 'm' },
      input: { type: 'string', short: 'i' },
      backend: { type: 'string' },
      'no-verify': { type: 'boolean', default: false },
    },
  });
  if (values.model === undefined || values.input === undefined) {
    throw new UsageError('needs --model M.safetensors and --input X.json (or --input - for stdin)');
  }
  const model = loadModel(values.model, { backend: parseBackend(values.backend), verify: !values['no-verify'] });
  const json = await readJson(values.input);
  if (Array.isArray(json)) {
    const inputs = json.map((item, i) => inputFromJson(model.spec, item, `batch[${i}]`));
    const rows = inputs.length === 0 ? [] : model.logitsBatch(inputs);
    console.log(JSON.stringify(rows.map((row) => ({ logits: Array.from(row) }))));
  } else {
    console.log(JSON.stringify({ logits: Array.from(model.logits(inputFromJson(model.spec, json))) }));
  }
  return 0;
}
