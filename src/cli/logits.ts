/**
 * `tinycnn logits --model M.safetensors --input X.json`: raw logits of one
 * input ({"logits": [...]}) or of a batch (a JSON list in, a list out).
 */
import { inputFromJson } from '../model/input.js';
import { loadModel } from '../node/files.js';
import { parseFlags, withUsage } from './flags.js';
import { parseBackend, readJson } from './options.js';
import { UsageError } from './usage.js';

export const LOGITS_USAGE = `usage: tinycnn logits --model M.safetensors --input X.json [options]
  --model FILE     the weight file (-m)
  --input FILE     the input, or - for stdin (-i): Kim CNN {"x": [[300 floats], ...]} (multichannel:
                   [channel 0 rows, channel 1 rows]); SM CNN {"q": rows, "a": rows, "ext": [4 floats]};
                   a JSON list of those is a batch (one forward pass) and prints a list
  --backend B      auto, js, wasm-simd or wasm-relaxed (default $TINYCNN_BACKEND, else auto)
  --no-verify      do not re-run the weight file's parity certificate at load
  --json           the output, {"logits": [...]} or a list of them (the only output form; accepted
                   so scripts can ask for it as from every other command)`;

export async function runLogits(argv: string[]): Promise<number> {
  return withUsage('logits', LOGITS_USAGE, argv, async () => {
    const { values } = parseFlags({
      args: argv,
      options: {
        model: { type: 'string', short: 'm' },
        input: { type: 'string', short: 'i' },
        backend: { type: 'string' },
        'no-verify': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
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
  });
}
