/**
 * One side of `npm run test:arm64`: runs the *packaged* Lambda code (index.mjs from the
 * unzipped dist/tinycnn-lambda.zip) on the golden inputs and on sentences, and writes every
 * logit to a JSON file. The same file runs under the host's Node (x86_64) and under
 * each arm64 Node in qemu; test/arm64/compare.mjs compares the two files.
 *
 *   node runner.mjs --package DIR --recipes FILE --out FILE [--fast]
 *
 * --package  the unzipped package (index.mjs, weights/)
 * --recipes  test/helpers/recipe.ts bundled to plain JS (run.mjs does it): rebuilds the
 *            golden inputs, whose sha256 is checked against the fixture, so both sides
 *            provably run the same bytes
 * --fast     the subset CI runs (FAST_* in cases.mjs)
 *
 * What runs, all from index.mjs (the bundle exports handler, createHandler, readConfig):
 *   golden     for each flavour (js, wasm-simd, wasm-relaxed): createHandler() with the fixture's
 *              weight file (INIT re-runs its parity certificate), then the model the handler
 *              serves (handler.runtime.models) on the raw input matrices: the bundle has no
 *              loadModel export, and golden inputs are matrices, not words
 *   sentences  index.handler itself (INIT at import, backend auto) and a createHandler() per
 *              flavour with the packaged weights and vectors, on direct, API Gateway v1 and v2 events
 *
 * Written in plain ESM JavaScript that Node 18 runs (no import.meta.dirname and such).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { FLAVOURS, goldenFixtures, sentenceEvents } from './cases.mjs';

// Before the bundle compiles its wasm at INIT: Node 20 keeps relaxed SIMD behind this flag;
// Node 18's V8 accepts the flag but knows only the pre-standard opcodes, so relaxed stays off there.
// Node 22 and later have it on by default and run as Lambda runs them: no flag, so what
// index.handler picks there (auto) is the runtime's own choice.
if (Number(process.versions.node.split('.')[0]) < 22) setFlagsFromString('--experimental-wasm-relaxed-simd');

const { values } = parseArgs({
  options: { package: { type: 'string' }, recipes: { type: 'string' }, out: { type: 'string' }, fast: { type: 'boolean', default: false } },
});
if (!values.package || !values.recipes || !values.out) throw new Error('runner: --package, --recipes and --out are required');
const pkg = values.package;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..'); // the repo: fixtures, test models, sentence files

const started = performance.now();
const bundle = await import(join(pkg, 'index.mjs')); // INIT of index.handler runs here
const importMs = performance.now() - started;
// What this runner relies on from the bundle (src/lambda/index.ts, handler.ts, runtime.ts): say so if it changes.
if (typeof bundle.createHandler !== 'function' || typeof bundle.readConfig !== 'function' || typeof bundle.handler?.runtime?.flavour !== 'string') {
  throw new Error(
    `${join(pkg, 'index.mjs')} must export handler (with .runtime.flavour), createHandler and readConfig; it exports ${Object.keys(bundle).join(', ')}`,
  );
}
const { inputFromRecipes } = await import(values.recipes);

/** A vector store for golden runs, which feed matrices straight to the model and look up no words. */
const noVectors = (dim) => ({
  name: 'none',
  dim,
  embed: async () => {
    throw new Error('golden run: no word vectors');
  },
  close() {},
});

/**
 * Golden fixtures on one flavour.
 * @returns {{ ran: string, fixtures: Record<string, number[][]> }}
 */
async function runGolden(flavour, fixtures) {
  const out = {};
  let ran = flavour;
  const byModel = new Map();
  for (const f of fixtures) byModel.set(f.model, [...(byModel.get(f.model) ?? []), f]);
  for (const [modelFile, group] of byModel) {
    const kind = 'x' in group[0].cases[0].input ? 'kim' : 'sm';
    // The packaged copy when the zip has it (weights/...), else the test model from the repo.
    const weights = modelFile.startsWith('weights/') ? join(pkg, modelFile) : join(root, modelFile);
    const config = bundle.readConfig({ TINYCNN_MODEL: kind, TINYCNN_WEIGHTS: weights, TINYCNN_BACKEND: flavour, TINYCNN_VERIFY: '1' });
    const handler = await bundle.createHandler(config, { openStore: (_m, _c, dim) => noVectors(dim), log: () => {} });
    ran = handler.runtime.flavour;
    if (ran !== flavour) return { ran, fixtures: {} }; // fell back: that flavour cannot run here
    const model = handler.runtime.models.get(kind).model;
    for (const fixture of group) {
      const built = fixture.cases.map((c) => inputFromRecipes(c.input));
      built.forEach((b, i) => {
        const want = fixture.cases[i].input_sha256;
        for (const key of Object.keys(want)) {
          if (b.hashes[key] !== want[key])
            throw new Error(`${fixture.name}, ${fixture.cases[i].label}: rebuilt input ${key} has sha256 ${b.hashes[key]}, fixture says ${want[key]}`);
        }
      });
      const inputs = built.map((b) => b.input);
      const logits = fixture.batch ? model.logitsBatch(inputs) : inputs.map((input) => model.logits(input));
      out[fixture.name] = logits.map((row) => Array.from(row)); // Float32Array -> JSON array
    }
  }
  return { ran, fixtures: out };
}

/**
 * Sentence events through one handler.
 * @returns {Array<{ id: string, status: number, code?: string, logits: number[][], predictions: number[] }>} one logits row per item (batches have several; errors none)
 */
async function runSentences(handler, events) {
  const results = [];
  for (const { id, event } of events) {
    const response = await handler(event, { awsRequestId: id });
    const body = JSON.parse(response.body);
    const items = Array.isArray(body.results) ? body.results : [body];
    const logits = response.statusCode === 200 ? items.map((item) => item.output ?? item.score[0]) : [];
    results.push({
      id,
      status: response.statusCode,
      ...(body.error?.code ? { code: body.error.code } : {}),
      logits,
      predictions: items.map((i) => i.prediction),
    });
  }
  return results;
}

const fixtures = goldenFixtures(root, values.fast);
const events = sentenceEvents(root, values.fast);
const result = {
  machine: {
    arch: process.arch,
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model ?? 'unknown',
    fma: fmaFlag(),
  },
  auto: bundle.handler.runtime.flavour,
  flavours: {},
  golden: {},
  sentences: {},
  ms: { import: importMs },
};

let t = performance.now();
result.sentences.handler = await runSentences(bundle.handler, events);
result.ms['sentences handler'] = performance.now() - t;
for (const flavour of FLAVOURS) {
  t = performance.now();
  const golden = await runGolden(flavour, fixtures);
  result.flavours[flavour] = golden.ran;
  if (golden.ran !== flavour) continue;
  result.golden[flavour] = golden.fixtures;
  result.ms[`golden ${flavour}`] = performance.now() - t;
  if (flavour === result.auto) {
    result.sentences[flavour] = 'handler'; // index.handler already ran these on this flavour
    continue;
  }
  t = performance.now();
  const handler = await bundle.createHandler(bundle.readConfig({ TINYCNN_BACKEND: flavour }, pkg), { log: () => {} });
  result.sentences[flavour] = await runSentences(handler, events);
  result.ms[`sentences ${flavour}`] = performance.now() - t;
}
result.ms.total = performance.now() - started;
writeFileSync(values.out, `${JSON.stringify(result)}\n`);

/** Whether the CPU has FMA (x86 /proc/cpuinfo flag): relaxed_madd then fuses on x86 as fmla does on arm64. */
function fmaFlag() {
  if (process.arch === 'arm64') return true; // fmla is base AArch64
  try {
    return /^flags\s*:.*\bfma\b/m.test(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return false;
  }
}
