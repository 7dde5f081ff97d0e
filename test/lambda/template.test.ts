/** template.yaml (AWS SAM) parses and points at what `npm run package` makes: index.handler, nodejs22.x, the zip. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, type Tags } from 'yaml';
import { DEFAULT_ZIP } from '../../src/package/build.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** CloudFormation's short-form intrinsics (!Ref, !If, ...) as their long forms. */
const CFN_TAGS: Tags = [
  ...['Ref', 'Sub', 'GetAtt', 'ImportValue', 'Base64', 'GetAZs'].map((name) => ({
    tag: `!${name}`,
    resolve: (value: string) => (name === 'Ref' ? { Ref: value } : { [`Fn::${name}`]: value }),
  })),
  ...['If', 'Equals', 'Not', 'And', 'Or', 'Join', 'Select', 'Split', 'FindInMap', 'Sub', 'GetAtt'].map((name) => ({
    tag: `!${name}`,
    collection: 'seq' as const,
    resolve: (seq: { toJSON(): unknown }) => ({ [`Fn::${name}`]: seq.toJSON() }),
  })),
];

const template = parse(readFileSync(join(ROOT, 'template.yaml'), 'utf8'), { customTags: CFN_TAGS }) as Record<string, any>;
const allFunctions = Object.entries(template.Resources as Record<string, any>).filter(([, r]) => r.Type === 'AWS::Serverless::Function');
/** The serving functions (BenchFunction, the optional benchmark, is checked on its own). */
const functions = allFunctions.filter(([name]) => name !== 'BenchFunction');

describe('template.yaml', () => {
  it('is a SAM template with the architecture, memory and vector-store parameters', () => {
    expect(template.Transform).toBe('AWS::Serverless-2016-10-31');
    expect(template.Parameters.Architecture.AllowedValues).toEqual(['x86_64', 'arm64']);
    expect(template.Parameters.MemorySize).toMatchObject({ Type: 'Number', MinValue: 128, MaxValue: 10240 });
    for (const name of ['KimVectorStore', 'SmVectorStore']) {
      expect(template.Parameters[name].Default).toBe('embedded');
      const pattern = new RegExp(template.Parameters[name].AllowedPattern);
      expect(pattern.test('embedded') && pattern.test('word2vec300d') && !pattern.test('a b')).toBe(true);
    }
  });

  it('runs index.handler on nodejs22.x from the zip npm run package writes', () => {
    const globals = template.Globals.Function;
    expect(globals.Handler).toBe('index.handler');
    expect(globals.Runtime).toBe('nodejs22.x');
    expect(globals.CodeUri).toBe(DEFAULT_ZIP);
    expect(globals.Architectures).toEqual([{ Ref: 'Architecture' }]);
    expect(globals.MemorySize).toEqual({ Ref: 'MemorySize' });
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.package).toMatch(/build\/src\/package\/main\.js/);
    expect(pkg.scripts.package).not.toMatch(/--out/);
    for (const [name, fn] of allFunctions) {
      // nothing overrides the globals, but the benchmark function's handler: bench.mjs of the same zip
      for (const key of ['Handler', 'Runtime', 'CodeUri']) {
        expect(fn.Properties[key], `${name}.${key}`).toEqual(name === 'BenchFunction' && key === 'Handler' ? 'bench.handler' : undefined);
      }
    }
  });

  it('has one function per model behind one HTTP API, DynamoDB read access only when chosen', () => {
    expect(template.Resources.HttpApi.Type).toBe('AWS::Serverless::HttpApi');
    const byModel = Object.fromEntries(functions.map(([, fn]) => [fn.Properties.Environment.Variables.TINYCNN_MODEL, fn]));
    expect(Object.keys(byModel).sort()).toEqual(['kim', 'sm']);
    for (const [model, param, condition] of [
      ['kim', 'KimVectorStore', 'KimUsesDynamoDB'],
      ['sm', 'SmVectorStore', 'SmUsesDynamoDB'],
    ]) {
      const fn = byModel[model];
      const paths = Object.values(fn.Properties.Events as Record<string, any>).map((e) => {
        expect(e.Type).toBe('HttpApi');
        expect(e.Properties.ApiId).toEqual({ Ref: 'HttpApi' });
        return e.Properties.Path;
      });
      expect(paths).toContain(`/${model}`);
      expect(template.Conditions[condition]).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: param }, 'embedded'] }] });
      expect(fn.Properties.Environment.Variables.TINYCNN_VECTOR_STORE).toEqual({ 'Fn::If': [condition, 'dynamodb', 'embedded'] });
      expect(fn.Properties.Policies).toEqual([{ 'Fn::If': [condition, { DynamoDBReadPolicy: { TableName: { Ref: param } } }, { Ref: 'AWS::NoValue' }] }]);
    }
  });

  it('serves from index.handler; BenchFunction, only when asked for, runs bench.handler, both models, no HTTP route and a longer timeout', () => {
    for (const [, fn] of functions) expect(fn.Properties.Handler ?? template.Globals.Function.Handler).toBe('index.handler');
    expect(template.Parameters.BenchFunction).toMatchObject({ Default: 'no', AllowedValues: ['no', 'yes'] });
    expect(template.Conditions.CreateBenchFunction).toEqual({ 'Fn::Equals': [{ Ref: 'BenchFunction' }, 'yes'] });
    const bench = template.Resources.BenchFunction;
    expect(bench.Condition).toBe('CreateBenchFunction');
    expect(bench.Properties.Handler).toBe('bench.handler');
    expect(bench.Properties.Environment.Variables).toEqual({ TINYCNN_MODEL: 'all', TINYCNN_VECTOR_STORE: 'embedded' });
    expect(bench.Properties.Events).toBeUndefined();
    expect(bench.Properties.Timeout).toBeGreaterThan(template.Globals.Function.Timeout);
    expect(template.Outputs.BenchFunctionName).toEqual({ Condition: 'CreateBenchFunction', Value: { Ref: 'BenchFunction' } });
  });

  it('logs as JSON into log groups with a retention, metrics on, CORS from a parameter; POST / and /health for each function', () => {
    expect(template.Parameters.LogRetentionDays).toMatchObject({ Type: 'Number', Default: 30 });
    expect(template.Parameters.CorsOrigins.Default).toBe('*');
    for (const [name, fn] of allFunctions) {
      const logging = fn.Properties.LoggingConfig;
      expect(logging.LogFormat, name).toBe('JSON');
      const group = template.Resources[logging.LogGroup.Ref];
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(group.Properties.RetentionInDays).toEqual({ Ref: 'LogRetentionDays' });
      expect(group.Condition).toEqual(fn.Condition);
    }
    for (const [, fn] of functions) {
      const model = fn.Properties.Environment.Variables.TINYCNN_MODEL;
      expect(fn.Properties.Environment.Variables).toMatchObject({ TINYCNN_METRICS: '1', TINYCNN_CORS_ORIGINS: { Ref: 'CorsOrigins' } });
      expect(fn.Properties.LoggingConfig.ApplicationLogLevel).toBe('INFO');
      // its own URL answers POST / and GET /health; on the shared HTTP API, /MODEL and /MODEL/health
      expect(fn.Properties.FunctionUrlConfig).toEqual({ AuthType: 'NONE' });
      const routes = Object.values(fn.Properties.Events as Record<string, any>).map((e) => `${e.Properties.Method} ${e.Properties.Path}`);
      expect(routes).toEqual(expect.arrayContaining([`ANY /${model}`, `GET /${model}/health`]));
    }
    expect(template.Resources.BenchFunction.Properties.FunctionUrlConfig).toBeUndefined();
  });
});
