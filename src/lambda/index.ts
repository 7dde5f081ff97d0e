/**
 * The Lambda entry point (bundled as index.mjs; handler setting `index.handler`).
 * INIT happens here, at module scope, once per execution environment: the
 * configuration is read from the environment (see config.ts), weights loaded
 * and packed, wasm compiled, vector stores opened. Warm invocations only run
 * the request's work.
 *
 * `createHandler` is exported too, for hosts that must pass a precompiled
 * WebAssembly.Module or their own stores (edge runtimes, tests).
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { readConfig } from './config.js';
import { createHandler } from './handler.js';
import type { DynamoDbModule } from './stores.js';

export { createHandler, type Handler, type LambdaContext } from './handler.js';
export { readConfig, type LambdaConfig } from './config.js';
export type { LambdaResponse } from './http.js';

/**
 * The DynamoDB vector store, bundled separately as dynamodb.cjs next to index.mjs and
 * required only when TINYCNN_VECTOR_STORE=dynamodb: its AWS SDK import (provided by the
 * Lambda runtime) then costs nothing to the default, embedded-vector start-up.
 */
const dynamodb = (): DynamoDbModule => createRequire(import.meta.url)('./dynamodb.cjs') as DynamoDbModule;

/**
 * One line to stdout with a plain write: in a fresh process console.log's first call builds
 * the stdout stream (~3 ms of a cold start); fs.writeSync(1) costs ~0.3 ms.
 */
function writeLine(line: string): void {
  try {
    writeSync(1, `${line}\n`);
  } catch {
    console.log(line); // stdout not writable as a file descriptor (e.g. a full non-blocking pipe)
  }
}

/** The function's handler: API Gateway REST (v1), HTTP API (v2), Function URL and direct events. */
export const handler = await createHandler(readConfig(process.env), { dynamodb, log: writeLine });
