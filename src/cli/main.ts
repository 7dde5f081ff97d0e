/**
 * The `tinycnn` command. Each subcommand lives in its own file, exports
 * `run…(argv): Promise<number>` (the exit code) and is loaded only when it is
 * the one asked for, so `tinycnn logits` never loads the chart or AWS
 * libraries, and a broken subcommand cannot take the others down. This file
 * only dispatches (`--help`, `--version`, `help COMMAND`) and turns an error
 * into one line on stderr: exit 2 for a wrong command line or a missing
 * optional package, 1 for anything else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { usageFromParseArgs, usageLine } from './flags.js';
import { packageRoot } from './options.js';
import { exitCodeOf } from './usage.js';

export { UsageError } from './usage.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { load: () => Promise<Command>; help: string }> = {
  classify: {
    load: async () => (await import('./classify.js')).runClassify,
    help: 'classify [SENTENCE...]              Kim CNN on a sentence (args or stdin lines), shipped weights and vectors',
  },
  serve: {
    load: async () => (await import('./serve.js')).runServe,
    help: 'serve [--port N] [--model M]        the Lambda handler as a local HTTP server + demo page (npm start)',
  },
  logits: {
    load: async () => (await import('./logits.js')).runLogits,
    help: 'logits --model M --input X.json     raw logits of one input, or of a batch (a JSON list)',
  },
  eval: {
    load: async () => (await import('./eval.js')).runEval,
    help: 'eval DATA [--model M] [--typed]     accuracy or MAP/MRR on a labelled set, and agreement with PyTorch',
  },
  convert: {
    load: async () => (await import('./convert.js')).runConvert,
    help: 'convert IN OUT.safetensors          .pt/.pth (castorini pickles, state_dicts), .safetensors, .onnx',
  },
  vectors: {
    load: async () => (await import('./vectors.js')).runVectors,
    help: 'vectors convert|lookup|upload|info  word2vec / GloVe -> .tcv stores, lookups, DynamoDB upload',
  },
  loadtest: {
    load: async () => (await import('./loadtest.js')).runLoadtest,
    help: 'loadtest [URL] [--local]            throughput, latency and cost per 1M over a concurrency sweep',
  },
  cost: {
    load: async () => (await import('./cost.js')).runCost,
    help: 'cost [FILE...|-] [--arch A]         percentiles, cold starts, cost per 1M from Lambda REPORT lines',
  },
  plan: {
    load: async () => (await import('./plan.js')).runPlan,
    help: 'plan FILE... [--slo-ms MS]          cheapest memory x arch x batch that meets a p99 objective',
  },
};

const USAGE = [
  'usage: tinycnn <command> [options]        (tinycnn <command> --help for its options)',
  '',
  ...Object.values(COMMANDS).map((c) => `  tinycnn ${c.help}`),
  '',
  '  tinycnn --version                           the installed version',
].join('\n');

/**
 * Runs one `tinycnn` command line.
 * @param argv the arguments after `tinycnn`
 * @returns the exit code
 */
export async function main(argv: string[]): Promise<number> {
  let [name, ...rest] = argv;
  if (name === 'help' && rest.length > 0) [name, rest] = [rest[0]!, ['--help']];
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return 0;
  }
  if (name === '--version' || name === '-v') {
    console.log(version());
    return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    console.error(`tinycnn: unknown command "${name}"; the commands are ${Object.keys(COMMANDS).join(', ')} (see tinycnn --help)`);
    return 2;
  }
  try {
    return await (await command.load())(rest);
  } catch (error) {
    const reported = usageFromParseArgs(error);
    console.error(usageLine(name, reported));
    return exitCodeOf(reported);
  }
}

/** The package's version, from its package.json. */
function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
