/**
 * `tinycnn convert IN OUT.safetensors`: PyTorch checkpoints (castorini's
 * whole-model pickles or state_dicts, .pt/.pth) and state_dict .safetensors go
 * through the Python exporter (converters/export.py, shipped in the package, which
 * also writes the parity certificate); .onnx is converted here in TypeScript. The
 * result is then loaded and its certificate checked, so the user knows at once
 * whether tinycnn reproduces PyTorch on their weights.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { extname, join } from 'node:path';
import { TinyCnnError } from '../errors.js';
import { loadModel } from '../node/files.js';
import { parseFlags, withUsage } from './flags.js';
import { packageRoot } from './options.js';
import { UsageError } from './usage.js';

const PYTORCH_INPUTS = ['.pt', '.pth', '.bin', '.pkl', '.safetensors'];

/** The Pythons tried in turn when neither --python nor $TINYCNN_PYTHON names one: PATH's, then Debian's. */
const DEFAULT_PYTHONS = ['python3', '/usr/bin/python3'];

/** converters/export.py's exit code when its Python cannot import torch or numpy. */
const EXPORTER_MISSING_DEPENDENCY = 3;

export const CONVERT_USAGE = `usage: tinycnn convert IN OUT.safetensors [options]
  IN                 castorini's .pt/.pth (whole-model pickles, legacy or zip; state_dicts),
                     a state_dict .safetensors (both read by PyTorch), or an .onnx export
                     (read here, needs the protobufjs package)
  --labels A,B,...   class names (default: 0..C-1)
  --tokenizer T      clean_str_sst, split or ptb (default clean_str_sst for Kim CNN, split for SM CNN)
  --ext-feats FILE   SM CNN with external features: a JSON spec of how to compute them from the texts
  --python PATH      the Python with PyTorch and numpy (default $TINYCNN_PYTHON, else the first of
                     python3 on PATH and /usr/bin/python3 that can import torch)
  --json             print what was written as one JSON object on stdout (architecture, labels,
                     tokenizer, certificate) instead of one line on stderr`;

/** No Python that can run the exporter was found. Code 'PYTHON_MISSING' (exit code 2). */
export class PythonMissingError extends TinyCnnError {
  constructor(message: string) {
    super('PYTHON_MISSING', message);
  }
}

export async function runConvert(argv: string[]): Promise<number> {
  return withUsage('convert', CONVERT_USAGE, argv, async () => {
    const { values, positionals } = parseFlags({
      args: argv,
      allowPositionals: true,
      options: {
        labels: { type: 'string' },
        tokenizer: { type: 'string' },
        'ext-feats': { type: 'string' },
        python: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    if (positionals.length !== 2) throw new UsageError('needs IN and OUT.safetensors');
    const [input, output] = positionals as [string, string];
    if (!existsSync(input)) throw new UsageError(`${input}: no such file`);
    const kind = extname(input).toLowerCase();

    if (kind === '.onnx') {
      const { convertOnnx } = await import('./convert-onnx.js');
      await convertOnnx(input, output, { labels: values.labels?.split(','), tokenizer: values.tokenizer, log: values.json ? () => {} : undefined });
    } else if (PYTORCH_INPUTS.includes(kind)) {
      const args = [join(packageRoot(), 'converters', 'export.py'), input, output];
      if (values.labels !== undefined) args.push('--labels', values.labels);
      if (values.tokenizer !== undefined) args.push('--tokenizer', values.tokenizer);
      if (values['ext-feats'] !== undefined) args.push('--ext-feats', values['ext-feats']);
      const chosen = values.python ?? process.env.TINYCNN_PYTHON;
      const status = runExporter(chosen === undefined || chosen === '' ? DEFAULT_PYTHONS : [chosen], args);
      if (status !== 0) return status; // the exporter printed its own one-line reason
    } else {
      throw new UsageError(`${input}: unknown kind "${kind}"; expected ${[...PYTORCH_INPUTS, '.onnx'].join(', ')}`);
    }

    const model = loadModel(output, { backend: 'js' });
    const { certificate } = model;
    if (values.json) {
      console.log(
        JSON.stringify({
          output,
          architecture: model.architecture.className,
          shape: model.architecture.describe(model.spec),
          labels: model.spec.labels,
          tokenizer: model.metadata['tinycnn.tokenizer'] ?? null,
          certificate: certificate === undefined ? null : { ok: true, worst_error: certificate.worstError, logits: certificate.logits },
        }),
      );
      return 0;
    }
    const verdict = certificate
      ? `parity certificate ok: worst error ${certificate.worstError.toExponential(1)} x (1 + |logit|) over ${certificate.logits} PyTorch logits`
      : 'no parity certificate (converted without PyTorch)';
    console.error(`${output}: ${model.architecture.className} (${model.architecture.describe(model.spec)}); ${verdict}`);
    return 0;
  });
}

/**
 * Runs converters/export.py with the first Python that can (one that is missing, or that
 * cannot import torch or numpy, hands over to the next) and passes its stderr through.
 * @returns the exporter's exit code
 * @throws PythonMissingError when none of `pythons` can run it
 */
function runExporter(pythons: readonly string[], args: readonly string[]): number {
  const tried: string[] = [];
  for (const python of pythons) {
    const result = spawnSync(python, args, { stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
    if (result.error !== undefined) {
      tried.push(`${python} cannot be run (${(result.error as NodeJS.ErrnoException).code ?? result.error.message})`);
    } else if (result.status === EXPORTER_MISSING_DEPENDENCY) {
      tried.push(/cannot import (\w+)/.exec(result.stderr)?.[0].replace('cannot import', `${python} cannot import`) ?? `${python} lacks PyTorch`);
    } else {
      process.stderr.write(result.stderr);
      return result.status ?? 1;
    }
  }
  throw new PythonMissingError(
    `reading PyTorch files needs Python 3 with PyTorch and numpy: ${tried.join('; ')}. ` +
      'Install them (pip install torch numpy, or apt-get install python3-torch) or name a Python that has them with --python PATH or TINYCNN_PYTHON',
  );
}
