/**
 * `tinycnn/lambda` (Node): build the Lambda handler yourself, e.g. to pass your own stores
 * or a logger. The packaged function's entry (src/lambda/index.ts) is this, run at INIT:
 *
 *   import { createHandler, readConfig } from 'tinycnn/lambda';
 *   export const handler = await createHandler(readConfig(process.env));
 */
export { createHandler, type Handler, type LambdaContext, type InitOptions } from './handler.js';
export { readConfig, ConfigError, type LambdaConfig, type ModelConfig, type ModelKind } from './config.js';
export type { LambdaResponse } from './http.js';
export type { HostFiles } from './files.js';
