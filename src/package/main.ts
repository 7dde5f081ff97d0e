#!/usr/bin/env node
/**
 * `npm run package` -> dist/tinycnn-lambda.zip, then prints the size of each part.
 *
 *   node build/src/package/main.js [--out FILE] [--models kim,sm] [--no-vectors]
 *
 * --models   which shipped models' weights (and vectors) go in (default kim,sm, the routes' defaults;
 *            add kim-sst1 to serve it with TINYCNN_KIM_MODEL=kim-sst1)
 * --no-vectors  leave the embedded vector files out (TINYCNN_VECTOR_STORE=dynamodb deployments)
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SHIPPED_MODELS, type ShippedModelName } from '../pipeline/defaults.js';
import { buildPackage, describePackage } from './build.js';

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, models: { type: 'string' }, 'no-vectors': { type: 'boolean', default: false } },
  });
  const root = repoRoot();
  const models = (values.models ?? 'kim,sm').split(',').map((m) => m.trim());
  const names = Object.keys(SHIPPED_MODELS);
  if (models.length === 0 || !models.every((m) => names.includes(m)))
    throw new Error(`--models must list shipped models (${names.join(', ')}), not "${values.models}"`);
  const result = await buildPackage({
    root,
    out: values.out === undefined ? undefined : resolve(values.out),
    models: [...new Set(models)] as ShippedModelName[],
    vectors: !values['no-vectors'],
  });
  console.log(describePackage(result, root));
  return 0;
}

/** The folder holding src/lambda/index.ts, from src/package or build/src/package alike. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'src', 'lambda', 'index.ts'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find src/lambda/index.ts above the packager');
    dir = parent;
  }
  return dir;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`package: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
