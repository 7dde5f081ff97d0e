/**
 * `tinycnn convert IN OUT.safetensors`: PyTorch checkpoints (castorini's
 * whole-model pickles or state_dicts, .pt/.pth) and state_dict .safetensors go
 * through the Python exporter (converters/export.py, which also writes the
 * parity certificate); .onnx is converted here in TypeScript. The result is
 * then loaded and its certificate checked, so the user knows at once whether
 * tinycnn reproduces PyTorch on their weights.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadModel } from '../node/files.js';
import { UsageError } from './usage.js';
import { packageRoot } from './options.js';

const PYTORCH_INPUTS = ['.pt', '.pth', '.bin', '.pkl', '.safetensors'];

export async function runConvert(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      labels: { type: 'string' }, // comma-separated class names
      tokenizer: { type: 'string' }, // clean_str_sst | split | ptb
      'ext-feats': { type: 'string' }, // SM: JSON spec of the external features
      python: { type: 'string' },
    },
  });
  if (positionals.length !== 2) throw new UsageError('usage: tinycnn convert IN OUT.safetensors [--labels a,b,...] [--tokenizer clean_str_sst|split|ptb] [--ext-feats SPEC.json]');
  const [input, output] = positionals;
  if (!existsSync(input)) throw new UsageError(`${input}: no such file`);
  const kind = extname(input).toLowerCase();

  if (kind === '.onnx') {
    const { convertOnnx } = await import('./convert-onnx.js');
    await convertOnnx(input, output, { labels: values.labels?.split(','), tokenizer: values.tokenizer });
  } else if (PYTORCH_INPUTS.includes(kind)) {
    const python = values.python ?? process.env.TINYCNN_PYTHON ?? '/usr/bin/python3';
    const args = [join(packageRoot(), 'converters', 'export.py'), input, output];
    if (values.labels !== undefined) args.push('--labels', values.labels);
    if (values.tokenizer !== undefined) args.push('--tokenizer', values.tokenizer);
    if (values['ext-feats'] !== undefined) args.push('--ext-feats', values['ext-feats']);
    const result = spawnSync(python, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.error !== undefined) {
      throw new UsageError(`cannot run ${python} (${result.error.message}); reading PyTorch files needs PyTorch: apt-get install python3-torch, or set TINYCNN_PYTHON`);
    }
    if (result.status !== 0) return result.status ?? 1; // the exporter printed its own one-line reason
  } else {
    throw new UsageError(`${input}: unknown kind "${kind}"; expected ${[...PYTORCH_INPUTS, '.onnx'].join(', ')}`);
  }

  const model = loadModel(output, { backend: 'js' });
  const { certificate } = model;
  const verdict = certificate
    ? `parity certificate ok: worst error ${certificate.worstError.toExponential(1)} x (1 + |logit|) over ${certificate.logits} PyTorch logits`
    : 'no parity certificate (converted without PyTorch)';
  console.error(`${output}: ${model.architecture.className} (${model.architecture.describe(model.spec)}); ${verdict}`);
  return 0;
}
