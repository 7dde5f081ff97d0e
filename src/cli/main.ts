/**
 * The `tinycnn` command. Each subcommand lives in its own file and exports
 * `run(argv): Promise<number>` (the exit code); this file only dispatches and
 * turns an error into one line on stderr.
 */
import { TinyCnnError } from '../errors.js';
import { runClassify } from './classify.js';
import { runConvert } from './convert.js';
import { runLogits } from './logits.js';
import { runServe } from './serve.js';
import { runCost } from './cost.js';
import { runPlan } from './plan.js';
import { runLoadtest } from './loadtest.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: string }> = {
  classify: { run: runClassify, help: 'classify [SENTENCE...]            Kim CNN on a sentence (args or stdin), with the default weights and vectors' },
  logits: { run: runLogits, help: 'logits --model M --input X.json    raw logits of one input or a batch (a JSON list)' },
  serve: { run: runServe, help: 'serve [--port N] [--model M]       the Lambda handler as a local HTTP server (127.0.0.1:3000)' },
  convert: { run: runConvert, help: 'convert IN OUT.safetensors         .pt/.pth (castorini pickles, state_dicts), .safetensors, .onnx' },
  cost: { run: runCost, help: 'cost [FILE...|-] [--arch A] [--json]    latency percentiles, cold starts and cost per 1M requests from Lambda REPORT lines' },
  plan: { run: runPlan, help: 'plan FILE... [--slo-ms MS] [--charts [DIR]]  cheapest memory x arch x batch meeting a p99 objective' },
  loadtest: { run: runLoadtest, help: 'loadtest [URL] [--local] [--concurrency 5,10,20,30]  load test: throughput, latency, cost per 1M' },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined) {
    const usage = ['usage: tinycnn <command> [options]', '', ...Object.values(COMMANDS).map((c) => `  tinycnn ${c.help}`)].join('\n');
    const wanted = name === undefined || name === '--help' || name === '-h' || name === 'help';
    (wanted ? console.log : console.error)(wanted ? usage : `tinycnn: unknown command "${name}"\n${usage}`);
    return wanted ? 0 : 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(`tinycnn ${name}: ${describe(error)}`);
    return error instanceof UsageError ? 2 : 1;
  }
}

/** A mistake in the command line itself (exit code 2). */
export class UsageError extends Error {}

function describe(error: unknown): string {
  if (error instanceof TinyCnnError || error instanceof UsageError) return error.message;
  if (error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('ERR_PARSE_ARGS')) return error.message;
  return error instanceof Error ? error.message : String(error);
}
