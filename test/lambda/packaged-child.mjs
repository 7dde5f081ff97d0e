// Runs in a fresh Node process for test/lambda/package.test.ts: imports the handler from an
// unzipped copy of dist/tinycnn-lambda.zip (never from src/), invokes it, writes the answers.
//
//   node packaged-child.mjs PLAN.json
//
// PLAN: { index: "/tmp/.../index.mjs", out: "result.json", mode, events: [...], ... }
//   mode "events"  the module-scope handler (INIT on import, configuration from the environment)
//   mode "golden"  createHandler() with stores that map the plan's tokens to given vectors
//   mode "wasm"    createHandler() with a WebAssembly.Module compiled here from plan.wasm
// plan.requestIds: pass each invocation a Lambda context with awsRequestId "packaged-N".
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const plan = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const packaged = await import(pathToFileURL(plan.index).href);

/** A vector store over the plan's token -> vector table (every token must be in it). */
function tableStore(table, dim) {
  return {
    name: `table-${dim}d`,
    dim,
    async embed(tokens, options = {}) {
      const matrix = options.out ?? new Float32Array(tokens.length * dim);
      tokens.forEach((token, i) => {
        const row = table[token];
        if (row === undefined || row.length !== dim) throw new Error(`no ${dim}-d vector for ${token}`);
        matrix.set(row, i * dim);
      });
      return { matrix, unknown: [], unknownPositions: [] };
    },
    close() {},
  };
}

let handler = packaged.handler;
if (plan.mode === 'golden') {
  const stores = { 300: tableStore(plan.vectors.kim, 300), 50: tableStore(plan.vectors.sm, 50) };
  handler = await packaged.createHandler(packaged.readConfig(plan.env ?? {}), { openStore: (_model, _config, dim) => stores[dim] });
} else if (plan.mode === 'wasm') {
  const wasmModule = new WebAssembly.Module(readFileSync(plan.wasm));
  handler = await packaged.createHandler(packaged.readConfig({}), { wasmModule });
}
const flavour = handler.runtime?.flavour;

const answers = [];
for (const [i, event] of plan.events.entries()) answers.push(await handler(event, plan.requestIds ? { awsRequestId: `packaged-${i}` } : undefined));
writeFileSync(plan.out, JSON.stringify({ flavour, answers }));
