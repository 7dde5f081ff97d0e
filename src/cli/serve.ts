/**
 * `tinycnn serve` (what `npm start` runs): the Lambda handler on a local HTTP
 * server, on the embedded defaults, like `sam local start-api`.
 *
 *   tinycnn serve [--port N] [--host H] [--model kim|sm|all] [--backend B] [--memory MB] [--quiet] [--no-lambda-heap]
 *
 * The port comes from --port, else $PORT, else 3000; the host defaults to 127.0.0.1.
 * Every TINYCNN_* environment variable of the Lambda function applies (see
 * src/lambda/config.ts); --model and --backend override TINYCNN_MODEL and TINYCNN_BACKEND.
 * Prints `listening on http://127.0.0.1:PORT`, then one REPORT line per request (unless --quiet).
 * --memory (default 128, or $AWS_LAMBDA_FUNCTION_MEMORY_SIZE) is the REPORT lines' Memory Size
 * and sizes V8's heap as Lambda's bootstrap does: the command restarts itself once with those
 * flags (server/bootstrap.ts) unless --no-lambda-heap or the heap is already set on the command line.
 * Stops on SIGINT / SIGTERM, and under `npm start` when npm goes away (server/bootstrap.ts).
 */
import { readConfig } from '../lambda/config.js';
import { needsLambdaHeap, rerunWithLambdaHeap, stopWhenLauncherGone, stopWithParent } from '../server/bootstrap.js';
import { startServer } from '../server/server.js';
import { parseFlags, withUsage } from './flags.js';
import { UsageError } from './usage.js';

const USAGE = `usage: tinycnn serve [options]      (npm start)
  --port N          TCP port (default $PORT, else 3000; 0 = any free port)
  --host H          interface (default 127.0.0.1)
  --model M         kim, sm or all (default $TINYCNN_MODEL, else all)
  --backend B       auto, js, wasm-simd or wasm-relaxed (default $TINYCNN_BACKEND, else auto)
  --memory MB       the emulated function memory: REPORT lines and V8 heap limits (default 128)
  --quiet           no REPORT lines
  --no-lambda-heap  keep this process's V8 heap settings
Every TINYCNN_* variable of the Lambda function applies (see src/lambda/config.ts).
Routes: POST /kim {"input": "..."}, POST /sm {"sent1": "...", "sent2": "..."}, POST /, GET /health.`;

/**
 * Runs the local server until a signal stops it.
 * @param argv the arguments after `serve`
 * @returns the exit code (0 after a clean stop)
 */
export async function runServe(argv: string[]): Promise<number> {
  return withUsage('serve', USAGE, argv, () => serve(argv));
}

async function serve(argv: string[]): Promise<number> {
  const { values } = parseFlags({
    args: argv,
    options: {
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      model: { type: 'string' },
      backend: { type: 'string' },
      memory: { type: 'string' },
      quiet: { type: 'boolean', default: false },
      'no-lambda-heap': { type: 'boolean', default: false },
    },
  });
  const port = whole(values.port ?? process.env.PORT ?? '3000', values.port !== undefined ? '--port' : 'PORT', 0, 65535);
  const memorySizeMb = whole(values.memory ?? process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '128', '--memory', 128, 10240);
  if (!values['no-lambda-heap'] && needsLambdaHeap()) return rerunWithLambdaHeap(memorySizeMb);
  const env: Record<string, string | undefined> = { ...process.env };
  if (values.model !== undefined) env.TINYCNN_MODEL = values.model;
  if (values.backend !== undefined) env.TINYCNN_BACKEND = values.backend;
  const config = readConfig(env);
  const quiet = values.quiet;
  const server = await startServer({
    config,
    port,
    host: values.host ?? '127.0.0.1',
    memorySizeMb,
    log: (line) => {
      if (!quiet || !line.startsWith('REPORT ')) console.log(line);
    },
  });
  console.log(`listening on ${server.url}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void server.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    stopWithParent(stop);
    stopWhenLauncherGone(stop);
  });
  return 0;
}

function whole(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${raw}"`);
  return value;
}
