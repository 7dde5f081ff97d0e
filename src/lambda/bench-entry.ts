/**
 * The benchmark function's entry point, bundled as bench.mjs next to index.mjs (handler
 * setting `bench.handler`; template.yaml's BenchFunction): the serving handler plus the
 * in-function benchmark (bench.ts). INIT at module scope, as in index.ts.
 */
import { createRequire } from 'node:module';
import { createBenchHandler } from './bench.js';
import { readConfig } from './config.js';
import type { DynamoDbModule } from './stores.js';

/** The DynamoDB vector store, dynamodb.cjs of the zip, required only when TINYCNN_VECTOR_STORE=dynamodb. */
const dynamodb = (): DynamoDbModule => createRequire(import.meta.url)('./dynamodb.cjs') as DynamoDbModule;

/** Direct {"bench": true, ...} invocations run the benchmark; everything else is served as by index.handler. */
export const handler = await createBenchHandler(readConfig(process.env), { dynamodb });
