/**
 * `npm run package`: the zip is byte-for-byte reproducible, laid out for `index.handler`, within
 * its size targets, free of eval / new Function / dynamic import and of the AWS SDK; unzipped
 * into a temporary folder and imported by a fresh Node process it answers exactly like the
 * in-repo handler, reproduces the golden PyTorch logits, accepts a precompiled
 * WebAssembly.Module, and reads DynamoDB through the runtime's SDK.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelBytes } from '../../src/backend/wasm-module.js';
import { readConfig } from '../../src/lambda/config.js';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import type { LambdaResponse } from '../../src/lambda/http.js';
import { buildPackage, type PackageResult } from '../../src/package/build.js';
import { inputFromRecipes, type Recipe } from '../helpers/recipe.js';
import { fixtureEvent, v2 } from './helpers.js';
import { packaged, ROOT, stable, type Packaged } from './packaged.js';

let pkg: Packaged;
let first: PackageResult;
let second: PackageResult;
let unzipped: string;
let tmp: string;
let local: Handler;

beforeAll(async () => {
  pkg = await packaged();
  ({ result: first, unzipped, tmp } = pkg);
  second = await buildPackage({ root: ROOT, out: join(tmp, 'again.zip') });
  local = await createHandler(readConfig({}), { log: () => {} });
});
afterAll(() => pkg.remove());

const runPackaged = (plan: Record<string, unknown>, env?: Record<string, string>) => pkg.run(plan, env);

describe('npm run package', () => {
  it('is byte-for-byte reproducible and a valid zip', () => {
    const hash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
    expect(hash(second.path)).toBe(hash(first.path));
    const test = spawnSync('unzip', ['-tq', first.path], { encoding: 'utf8' });
    if (test.error === undefined) expect(test.stdout).toMatch(/No errors detected/);
  });

  it('puts index.mjs and bench.mjs at the root (handlers index.handler, bench.handler), weights and vectors under weights/, within the size targets', () => {
    expect(first.parts.map((p) => p.name)).toEqual([
      'bench.mjs',
      'dynamodb.cjs',
      'index.mjs',
      'weights/kim-sst2.safetensors',
      'weights/kim-sst2.tcv',
      'weights/sm-trecqa.safetensors',
      'weights/sm-trecqa.tcv',
    ]);
    expect(statSync(join(unzipped, 'index.mjs')).mode & 0o777).toBe(0o644);
    const code = first.parts.filter((p) => p.kind === 'code').reduce((s, p) => s + p.size, 0);
    expect(code).toBeLessThanOrEqual(150 * 1024);
    expect(first.wasmBytesInCode).toBeGreaterThan(1000); // the kernels travel inside index.mjs
    const vectors = first.parts.filter((p) => p.kind === 'vectors').reduce((s, p) => s + p.compressedSize, 0);
    expect(first.zipBytes - vectors).toBeLessThanOrEqual(2 * 1024 * 1024);
  });

  it('runs no eval, new Function or dynamic import, and leaves the AWS SDK to the runtime', () => {
    const index = Buffer.from(first.code).toString('utf8');
    const dynamodb = Buffer.from(first.dynamodb).toString('utf8');
    for (const code of [index, dynamodb]) {
      expect(code).not.toMatch(/\beval\s*\(/);
      expect(code).not.toMatch(/new\s+Function\b/);
      expect(code).not.toMatch(/\bimport\s*\(/);
      expect(code).not.toMatch(/\bFunction\s*\(\s*["'`]/);
    }
    expect(index).not.toContain('@aws-sdk'); // the SDK never loads at INIT
    // the serving bundle holds no benchmark code: that is bench.mjs's alone
    const bench = Buffer.from(first.bench).toString('utf8');
    for (const marker of ['BENCH_NO_TIME', 'budget_ms', 'seconds_timing']) {
      expect(index).not.toContain(marker);
      expect(bench).toContain(marker);
    }
    expect(index).not.toMatch(/\bfetch\s*\(/); // the wasm is found without fetch
    expect(dynamodb).toMatch(/require\("@aws-sdk\/client-dynamodb"\)/);
    expect(dynamodb.length).toBeLessThan(40 * 1024); // required, not bundled
  });
});

describe('the unzipped package in a fresh Node process', () => {
  it('answers every event shape exactly as the in-repo handler does', async () => {
    const events = [
      fixtureEvent('rest-v1'),
      fixtureEvent('http-api-v2'),
      fixtureEvent('function-url'),
      { input: 'a gripping , funny and heartfelt film' },
      v2('POST', '/kim', { inputs: ['so good', 'so bad', 'neither here nor there'] }),
      v2('POST', '/sm', {
        pairs: [
          ['who wrote the book', 'the book was written by a young author'],
          ['what', 'that'],
        ],
      }),
      v2('POST', '/kim', '{"input": '),
      v2('GET', '/health'),
    ];
    const packaged = await runPackaged({ mode: 'events', events });
    expect(packaged.flavour).toBe(local.runtime.flavour);
    for (let i = 0; i < events.length; i++) expect(stable(packaged.answers[i])).toEqual(stable(await local(events[i])));
    expect(packaged.answers[0].statusCode).toBe(200);
    expect(packaged.answers[6].statusCode).toBe(400);
  });

  it('reproduces the golden PyTorch logits of the reference weights (vectors given per token)', async () => {
    const fixtures = ['kim-static-lengths', 'kim-static-batch', 'kim-static-hostile', 'sm-lengths', 'sm-batch', 'sm-hostile', 'sm-ext-lengths', 'sm-ext-batch'];
    const vectors: { kim: Record<string, number[]>; sm: Record<string, number[]> } = { kim: {}, sm: {} };
    const events: unknown[] = [];
    const expected: { name: string; logits: number[][] }[] = [];
    const rows = (table: Record<string, number[]>, prefix: string, s: { data: Float32Array; tokens: number }) =>
      Array.from({ length: s.tokens }, (_, r) => {
        const dim = s.data.length / s.tokens;
        table[`${prefix}r${r}`] = Array.from(s.data.subarray(r * dim, (r + 1) * dim));
        return `${prefix}r${r}`;
      }).join(' ');
    fixtures.forEach((name, f) => {
      const fixture = JSON.parse(readFileSync(join(ROOT, 'test/golden', `${name}.json`), 'utf8')) as {
        batch: boolean;
        cases: { label: string; input: Record<string, Recipe>; logits: number[] }[];
      };
      const path = name.startsWith('kim') ? '/kim' : '/sm';
      const items = fixture.cases.map((c, i) => {
        const { input } = inputFromRecipes(c.input);
        if ('x' in input) return rows(vectors.kim, `f${f}c${i}`, input.x);
        const pair: Record<string, unknown> = { sent1: rows(vectors.sm, `f${f}c${i}q`, input.q), sent2: rows(vectors.sm, `f${f}c${i}a`, input.a) };
        if (input.ext !== undefined) pair.ext = Array.from(input.ext);
        return pair;
      });
      const body = (item: unknown) => (path === '/kim' ? { input: item } : item);
      if (fixture.batch) {
        events.push({ fixture: name, event: v2('POST', path, path === '/kim' ? { inputs: items } : { pairs: items }) });
        expected.push({ name, logits: fixture.cases.map((c) => c.logits) });
      } else {
        items.forEach((item, i) => {
          events.push({ fixture: name, event: v2('POST', path, body(item)) });
          expected.push({ name: `${name} / ${fixture.cases[i].label}`, logits: [fixture.cases[i].logits] });
        });
      }
    });
    // kim-static-* and sm-* use the untrained reference weights, sm-ext-* the test-only SM weights with external features.
    const plain = events.map((e, i) => ({ ...(e as { fixture: string; event: unknown }), i })).filter((e) => !e.fixture.startsWith('sm-ext'));
    const ext = events.map((e, i) => ({ ...(e as { fixture: string; event: unknown }), i })).filter((e) => e.fixture.startsWith('sm-ext'));
    const answers: LambdaResponse[] = [];
    const reference = { TINYCNN_KIM_WEIGHTS: join(ROOT, 'test/golden/kim-static.safetensors'), TINYCNN_SM_WEIGHTS: join(ROOT, 'test/golden/sm.safetensors') };
    const a = await runPackaged({ mode: 'golden', vectors, events: plain.map((e) => e.event), env: reference });
    const b = await runPackaged({
      mode: 'golden',
      vectors,
      events: ext.map((e) => e.event),
      env: { TINYCNN_MODEL: 'sm', TINYCNN_SM_WEIGHTS: join(ROOT, 'test/golden/sm-ext.safetensors') },
    });
    plain.forEach((e, k) => (answers[e.i] = a.answers[k]));
    ext.forEach((e, k) => (answers[e.i] = b.answers[k]));

    let worst = 0;
    expected.forEach(({ name, logits }, i) => {
      expect(answers[i].statusCode, name).toBe(200);
      const body = JSON.parse(answers[i].body) as { results?: { output?: number[]; score?: number[][] }[]; output?: number[]; score?: number[][] };
      const results = body.results ?? [body];
      const got = results.map((r) => r.output ?? r.score![0]);
      expect(got.length, name).toBe(logits.length);
      logits.forEach((row, j) =>
        row.forEach((ref, k) => {
          const error = Math.abs(got[j][k] - ref) / (1 + Math.abs(ref));
          worst = Math.max(worst, error);
          expect(error, `${name} [${j}][${k}]: ${got[j][k]} vs PyTorch ${ref}`).toBeLessThanOrEqual(1e-4);
        }),
      );
    });
    console.log(
      `packaged handler vs PyTorch golden logits: ${expected.length} requests, worst |ours - ref| / (1 + |ref|) = ${worst.toExponential(2)} (${a.flavour})`,
    );
  });

  it('accepts a precompiled WebAssembly.Module (as edge runtimes require)', async () => {
    const wasm = join(tmp, 'kernels-simd.wasm');
    writeFileSync(wasm, kernelBytes('wasm-simd'));
    const events = [{ input: 'this is a very good movie' }, { sent1: 'who wrote it', sent2: 'she did' }];
    const precompiled = await runPackaged({ mode: 'wasm', wasm, events });
    const embedded = await runPackaged({ mode: 'events', events }, { TINYCNN_BACKEND: 'wasm-simd' });
    expect(precompiled.flavour).toBe('wasm-simd');
    expect(precompiled.answers.map(stable)).toEqual(embedded.answers.map(stable));
  });

  it("with the template's settings, every stdout line is a JSON log record or an Embedded Metric Format document", async () => {
    const events = [v2('POST', '/kim', { inputs: ['so good', 'zzzq bad'] }), v2('GET', '/sm/health'), v2('POST', '/kim', '{"input": ')];
    const env = { AWS_LAMBDA_LOG_FORMAT: 'JSON', AWS_LAMBDA_LOG_LEVEL: 'INFO', TINYCNN_METRICS: '1', AWS_LAMBDA_FUNCTION_NAME: 'tinycnn-test' };
    const { answers, stdout } = await runPackaged({ mode: 'events', events, requestIds: true }, env);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 400]);
    const lines = stdout.trimEnd().split('\n');
    const records = lines.map((line) => JSON.parse(line) as Record<string, any>); // throws on any other line
    const logs = records.filter((r) => r._aws === undefined);
    const emf = records.filter((r) => r._aws !== undefined);
    expect(logs.map((r) => r.message)).toEqual(['tinycnn INIT', 'tinycnn request', 'tinycnn request', 'tinycnn request']);
    expect(logs[1]).toMatchObject({
      level: 'INFO',
      requestId: 'packaged-0',
      status: 200,
      cold_start: true,
      backend: expect.any(String),
      batch_size: 2,
      tokens: 4,
    });
    expect(logs[3]).toMatchObject({ requestId: 'packaged-2', status: 400, cold_start: false });
    expect(emf).toHaveLength(3);
    for (const [i, doc] of emf.entries()) {
      const [directive] = doc._aws.CloudWatchMetrics;
      expect(directive).toMatchObject({ Namespace: 'tinycnn', Dimensions: [['FunctionName']] });
      for (const { Name, Unit } of directive.Metrics) {
        expect(['Count', 'Milliseconds']).toContain(Unit);
        expect(typeof doc[Name]).toBe('number');
      }
      expect(doc).toMatchObject({ FunctionName: 'tinycnn-test', requestId: `packaged-${i}`, ColdStart: i === 0 ? 1 : 0 });
    }
    expect(emf[0]).toMatchObject({ BatchSize: 2, Tokens: 4, UnknownTokens: 1 });
    expect(emf[0].InitMs).toBeGreaterThan(0);
  });
});
