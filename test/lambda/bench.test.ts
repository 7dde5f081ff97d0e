/**
 * The bench handler (src/lambda/bench.ts, bench.mjs in the zip): the serving handler refuses
 * {"bench": true} as an ordinary body, and in the bench handler only direct invocations run it;
 * the answer is a results file in the schema of
 * bench/results/*.json, with machine.lambda from the environment, results for every flavour this
 * runtime has; `npm run bench:compare` reads two answers as `aws lambda invoke` writes them.
 * Quick runs with small budgets: nothing here asserts a speed.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { detectWasmFeatures } from '../../src/backend/select.js';
import { defineCases } from '../../src/bench/cases.js';
import { createBenchHandler } from '../../src/lambda/bench.js';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import type { LambdaResponse } from '../../src/lambda/http.js';
import { fakeStore, json, testConfig, v2 } from './helpers.js';
import { packaged, ROOT, type Packaged } from './packaged.js';

const quiet = { log: () => {}, openStore: (_m: unknown, _c: unknown, dim: number) => fakeStore(dim) };
const handlers = new Map<string, Handler>();

/** One bench handler per configuration, made once. */
async function handlerWith(env: Record<string, string>): Promise<Handler> {
  const key = JSON.stringify(env);
  if (!handlers.has(key)) handlers.set(key, await createBenchHandler(testConfig(env), quiet));
  return handlers.get(key)!;
}

/** The fake Lambda environment of a function with `memory` MB. */
function lambdaEnv(memory: number): Record<string, string> {
  return { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memory), AWS_REGION: 'eu-west-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x' };
}

/** The flavours this Node runs. */
function expectedFlavours(): string[] {
  const { simd, relaxed } = detectWasmFeatures();
  return ['js', ...(simd ? ['wasm-simd'] : []), ...(relaxed ? ['wasm-relaxed'] : [])];
}

/** Checks a report against the results-file schema; every (case, flavour) is timed or skipped with a reason. */
function expectResultsFile(report: Record<string, any>, flavours: string[], cases: string[]): void {
  const m = report.machine;
  for (const key of ['arch', 'cpu', 'os', 'node', 'v8', 'relaxed_simd']) expect(typeof m[key], key).toBe('string');
  for (const key of ['cores', 'memory_mb', 'load_avg_1m']) expect(typeof m[key], key).toBe('number');
  expect(m.emulated).toBe(false);
  expect(m.flavours).toEqual(flavours);
  expect(flavours).toContain(m.auto_flavour);
  expect(typeof report.run.date).toBe('string');
  expect(report.run.rounds).toBeGreaterThanOrEqual(1);
  expect(Array.isArray(report.ratios) && Array.isArray(report.targets)).toBe(true);
  for (const row of report.results) {
    expect(row.runtime).toMatch(/^tinycnn-(js|wasm-simd|wasm-relaxed)$/);
    for (const key of ['batch', 'p50_us', 'min_us', 'max_us', 'us_per_sentence', 'gflops', 'samples'])
      expect(row[key], `${row.case} ${row.runtime} ${key}`).toBeGreaterThan(0);
    expect(row.min_us).toBeLessThanOrEqual(row.p50_us);
    expect(row.p50_us).toBeLessThanOrEqual(row.max_us);
    expect(row.gflops).toBeCloseTo(report.run.flops[row.case] / (row.p50_us * 1e3), 2);
  }
  for (const c of cases) {
    for (const flavour of flavours) {
      const runtime = `tinycnn-${flavour}`;
      const timed = report.results.some((r: any) => r.case === c && r.runtime === runtime);
      const skipped = report.run.skipped.find((s: any) => s.case === c && s.runtime === runtime);
      expect(timed || typeof skipped?.why === 'string', `${c} on ${runtime}: neither timed nor skipped with a reason`).toBe(true);
    }
  }
  for (const p of report.run.parity) expect(p.ok, `${p.case} ${p.runtime}`).toBe(true);
}

const QUICK_CASES = defineCases({ quick: true }).map((c) => c.name);

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('the serving handler (index.handler)', () => {
  it('answers {"bench": true} as the ordinary request it is: 400', async () => {
    for (const env of [{}, { TINYCNN_MODEL: 'kim' }] as Record<string, string>[]) {
      const response = await (await createHandler(testConfig(env), quiet))({ bench: true });
      expect(response.statusCode).toBe(400);
      expect(json(response).error.code).toBe('MISSING_FIELD');
    }
  });
});

describe('the bench handler (bench.handler)', () => {
  it('answers a direct {"bench": true, "quick": true} with a results file for every flavour this runtime has, machine.lambda from the environment', async () => {
    vi.stubEnv('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '1024');
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv('AWS_EXECUTION_ENV', 'AWS_Lambda_nodejs22.x');
    const response = await (await handlerWith({}))({ bench: true, quick: true, budget_ms: 1000 });
    expect(response.statusCode).toBe(200);
    const report = json(response);
    expectResultsFile(report, expectedFlavours(), QUICK_CASES);
    expect(report.machine.lambda).toEqual({ memory_mb: 1024, vcpus: 0.579, vcpu_share: 0.579, region: 'eu-west-1', execution_env: 'AWS_Lambda_nodejs22.x' });
    expect(report.run.quick).toBe(true);
    expect(report.run.budget).toMatchObject({ budget_ms: 1000, source: 'request' });
    expect(Object.keys(report.run.weights).sort()).toEqual(['kim', 'sm']);
    if (!expectedFlavours().includes('wasm-relaxed')) expect(report.run.unavailable['tinycnn-wasm-relaxed']).toMatch(/relaxed SIMD/);
  });

  it('runs only the cases of the model the function serves, and says why the others are missing', async () => {
    const report = json(await (await handlerWith({ TINYCNN_MODEL: 'kim' }))({ bench: true, quick: true, budget_ms: 500 }));
    expect(report.machine.lambda).toBeNull(); // no AWS_LAMBDA_FUNCTION_MEMORY_SIZE here
    expect(new Set(report.results.map((r: any) => r.case))).not.toContain('sm-20+20');
    expect(report.run.skipped).toContainEqual({ case: 'sm-20+20', why: expect.stringMatching(/does not serve the sm model/) });
    expectResultsFile(
      report,
      expectedFlavours(),
      QUICK_CASES.filter((c) => c.startsWith('kim')),
    );
  });

  it('keeps within the function timeout, and refuses when too little of it is left', async () => {
    const handler = await handlerWith({});
    const tight = await handler({ bench: true, quick: true }, { getRemainingTimeInMillis: () => 1600 });
    expect(json(tight).run.budget).toMatchObject({ budget_ms: 600, source: expect.stringMatching(/function's timeout \(1600 ms left/) });
    const none = await handler({ bench: true }, { getRemainingTimeInMillis: () => 1100 });
    expect(none.statusCode).toBe(400);
    expect(json(none).error).toMatchObject({ code: 'BENCH_NO_TIME', message: expect.stringMatching(/raise the function's Timeout/) });
  });

  it('on the smallest budget still answers a valid file: whatever the deadline left out is listed with why', async () => {
    const handler = await handlerWith({});
    const report = json(await handler({ bench: true, budget_ms: 250 }));
    expectResultsFile(
      report,
      expectedFlavours(),
      defineCases().map((c) => c.name),
    );
    expect(report.run.skipped.length).toBeGreaterThan(0); // the full case list cannot fit in 250 ms
  });

  it('refuses malformed bench bodies with 400 naming the field', async () => {
    const handler = await handlerWith({});
    const cases: [unknown, RegExp][] = [
      [{ bench: 'yes' }, /"bench" must be true/],
      [{ bench: true, quik: true }, /unknown field "quik"/],
      [{ bench: true, quick: 1 }, /"quick" must be true or false/],
      [{ bench: true, budget_ms: 10 }, /"budget_ms" must be a whole number/],
    ];
    for (const [body, message] of cases) {
      const response = await handler(body);
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(json(response).error).toMatchObject({ code: 'INVALID_FIELD', message: expect.stringMatching(message) });
    }
  });

  it('runs only on direct invocations: through API Gateway {"bench": true} is an ordinary body (400)', async () => {
    const handler = await handlerWith({});
    const response = await handler(v2('POST', '/', { bench: true, quick: true }));
    expect(response.statusCode).toBe(400);
    expect(json(response).error.code).toBe('MISSING_FIELD');
    expect((await handler(v2('POST', '/kim', { input: 'a fine movie' }))).statusCode).toBe(200); // serving is unchanged
  });
});

// bench:compare imports build/ (npm test builds first); skipped when vitest runs on an unbuilt tree.
const built = ['build/src/bench/machine.js', 'build/src/cost/bill.js'].every((p) => existsSync(join(ROOT, p)));

describe.runIf(built)('npm run bench:compare on two invocations', () => {
  let pkg: Packaged;
  let tmp: string;
  beforeAll(async () => {
    pkg = await packaged();
    tmp = mkdtempSync(join(tmpdir(), 'tinycnn-bench-compare-'));
  });
  afterAll(() => {
    pkg?.remove();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /**
   * The packaged bench handler (unzipped dist zip, bench.handler, INIT from the environment) in a fresh
   * Node; on Node 20 with relaxed SIMD switched on, as Node 22+ (Lambda's runtimes) have it.
   * Writes what `aws lambda invoke` would: the handler's answer as JSON.
   */
  function invokePackaged(out: string, env: Record<string, string>): LambdaResponse {
    // The answer goes to a file: INIT writes its log line to stdout, as on Lambda.
    const script = `const { handler } = await import(${JSON.stringify(join(pkg.unzipped, 'bench.mjs'))});
      const { writeFileSync } = await import('node:fs');
      writeFileSync(${JSON.stringify(out)}, JSON.stringify(await handler({ bench: true, quick: true })));`;
    const flags = process.versions.node.startsWith('20.') ? ['--experimental-wasm-relaxed-simd'] : [];
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TINYCNN_') && !k.startsWith('AWS_')));
    execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script], {
      cwd: tmp,
      env: { ...clean, LAMBDA_TASK_ROOT: pkg.unzipped, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 60_000,
    });
    return JSON.parse(readFileSync(out, 'utf8')) as LambdaResponse;
  }

  it('labels both as Lambda runs with their memory sizes and prices each at its architecture', async () => {
    const x86 = join(tmp, 'x86.json');
    const arm64 = join(tmp, 'arm64.json');
    const packagedAnswer = invokePackaged(x86, lambdaEnv(1024));
    expect(packagedAnswer.statusCode).toBe(200);
    const x86Report = JSON.parse(packagedAnswer.body);
    expectResultsFile(x86Report, ['js', 'wasm-simd', 'wasm-relaxed'], QUICK_CASES);
    expect(x86Report.machine.relaxed_simd).toMatch(/on by default|enabled by a V8 flag/);

    // The second function: this x64 host cannot be a Graviton, so the answer's arch is relabelled
    // arm64 by hand — a stand-in to check that compare prices and labels the second machine.
    for (const [key, value] of Object.entries(lambdaEnv(2048))) vi.stubEnv(key, value);
    const response = await (await handlerWith({}))({ bench: true, quick: true, budget_ms: 500 });
    const armReport = json(response);
    armReport.machine.arch = 'arm64';
    writeFileSync(arm64, JSON.stringify({ ...response, body: JSON.stringify(armReport) }));

    const output = execFileSync(process.execPath, [join(ROOT, 'bench', 'compare.mjs'), x86, arm64], { cwd: ROOT, encoding: 'utf8' });
    expect(output).toContain('| status | measured inside Lambda at 1024 MB | measured inside Lambda at 2048 MB |');
    expect(output).toContain('| Lambda price | x86_64 | arm64 |');
    expect(output).toMatch(
      /\| machine \| x64 · [^|]*· Lambda 1024 MB = 0\.579 vCPU, eu-west-1, AWS_Lambda_nodejs22\.x \| arm64 · [^|]*· Lambda 2048 MB = 1\.158 vCPU/,
    );
    expect(output).not.toMatch(/emulated/i);
    for (const row of x86Report.results as { case: string; runtime: string }[]) {
      const line = output.split('\n').find((l) => l.startsWith(`| ${row.case} | ${row.runtime} |`));
      expect(line, `${row.case} ${row.runtime}`).toBeDefined();
      if (armReport.results.some((r: any) => r.case === row.case && r.runtime === row.runtime)) expect(line).toMatch(/\| \$\d+\.\d{4} \| \$\d+\.\d{4} \|$/);
    }
    // And bench/report.mjs prints a saved answer as it prints a local run.
    const report = execFileSync(process.execPath, [join(ROOT, 'bench', 'report.mjs'), x86], { cwd: ROOT, encoding: 'utf8' });
    expect(report).toContain('Lambda 1024 MB');
  });

  it('says why when an invocation answered an error instead of results', () => {
    const failed = join(tmp, 'failed.json');
    writeFileSync(
      failed,
      JSON.stringify({ statusCode: 400, headers: {}, body: JSON.stringify({ error: { code: 'MISSING_FIELD', message: 'missing field "input"' } }) }),
    );
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(ROOT, 'bench', 'compare.mjs'), failed, failed], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      stderr = (error as { stderr: string }).stderr;
    }
    expect(stderr).toMatch(/the function answered 400: missing field "input"/);
  });
});
