/**
 * The handler on real event shapes (REST v1, HTTP API v2, Function URL with a base64 body,
 * direct invocations), castorini's fields plus ours, batches, routing and CORS. Vectors come
 * from a deterministic in-memory store, so logits can be checked against the engine itself.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import { kernelModule } from '../../src/backend/wasm-module.js';
import { tokenize } from '../../src/text/tokenizer.js';
import { fakeStore, fixtureEvent, json, testConfig, UNKNOWN_PREFIX, v2, vectorOf } from './helpers.js';

let handler: Handler;
const logs: string[] = [];
let opened = 0;

beforeAll(async () => {
  handler = await createHandler(testConfig(), {
    log: (line) => logs.push(line),
    openStore: (_model, _config, dim) => {
      opened++;
      return fakeStore(dim);
    },
  });
});

/** The engine's own logits for a Kim sentence, with the fake store's vectors. */
function engineKim(text: string): number[] {
  const served = handler.runtime.models.get('kim')!;
  const tokens = tokenize(text, { mode: 'clean_str_sst' });
  const dim = served.model.spec.dim;
  const data = new Float32Array(tokens.length * dim);
  tokens.forEach((t, i) => {
    if (!t.startsWith(UNKNOWN_PREFIX)) data.set(vectorOf(t, dim), i * dim); // unknown words: zeros
  });
  return Array.from(served.model.logits({ x: { data, tokens: tokens.length } }));
}

describe('INIT', () => {
  it('logs one line naming the backend flavour and each model', () => {
    const init = logs.filter((l) => l.startsWith('tinycnn INIT'));
    expect(init).toHaveLength(1);
    expect(init[0]).toContain(`backend=${handler.runtime.flavour}`);
    expect(init[0]).toMatch(/model=kim:kim-sst2\.safetensors\(static,2classes,certificate=ok/);
    expect(init[0]).toMatch(/model=sm:sm-trecqa\.safetensors\(ext4,2classes,certificate=ok/);
    expect(opened).toBe(2);
  });
});

describe('event shapes', () => {
  it('API Gateway REST (v1) with a stage: castorini Kim fields plus probabilities, label, tokens', async () => {
    const response = await handler(fixtureEvent('rest-v1'));
    expect(response.statusCode).toBe(200);
    expect(response.headers).toMatchObject({ 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' });
    expect(response.headers).not.toHaveProperty('Access-Control-Allow-Credentials'); // castorini sent it; browsers refuse it next to '*'
    const body = json(response);
    expect(body.input).toBe('this is a very good movie');
    expect(body.output).toHaveLength(2);
    expect(body.output).toEqual(engineKim('this is a very good movie'));
    expect(body.prediction).toBe(body.output.indexOf(Math.max(...body.output)));
    expect(body.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 6);
    expect(body.label).toBe(handler.runtime.models.get('kim')!.model.spec.labels[body.prediction]);
    expect(body.tokens).toEqual(['this', 'is', 'a', 'very', 'good', 'movie']);
    expect(body.unknown_tokens).toEqual([]);
    for (const t of ['t_overall', 't_sent_embedding', 't_load_model', 't_inference']) expect(typeof body[t]).toBe('number');
    expect(body.t_overall).toBeGreaterThanOrEqual(body.t_inference);
    expect(body.backend).toBe(handler.runtime.flavour);
    expect(body.model).toBe('kim-sst2.safetensors');
  });

  it('HTTP API (v2): SM answers score [[l0, l1]] like castorini', async () => {
    const response = await handler(fixtureEvent('http-api-v2'));
    expect(response.statusCode).toBe(200);
    const body = json(response);
    expect(body.sent1).toBe('how are glacier caves formed');
    expect(body.sent2).toBe('the ice facade is approximately 60 m high');
    expect(body.score).toHaveLength(1);
    expect(body.score[0]).toHaveLength(2);
    expect(body.probabilities).toHaveLength(2);
    expect(body.tokens.sent1).toEqual(['how', 'are', 'glacier', 'caves', 'formed']);
    expect(body.unknown_tokens).toEqual({ sent1: [], sent2: [] });
  });

  it('HTTP API (v2) on a named stage strips the stage from rawPath', async () => {
    const event = v2('POST', '/prod/kim', { input: 'a fine film' });
    (event.requestContext as Record<string, unknown>).stage = 'prod';
    const response = await handler(event);
    expect(response.statusCode).toBe(200);
    expect(json(response).output).toEqual(engineKim('a fine film'));
  });

  it('Function URL with a base64 body', async () => {
    const response = await handler(fixtureEvent('function-url'));
    expect(response.statusCode).toBe(200);
    expect(json(response).output).toEqual(engineKim('this is a very good movie'));
  });

  it('REST (v1) with a base64 body and a trailing slash', async () => {
    const event = fixtureEvent('rest-v1', { input: 'so good' }, true);
    event.path = '/kim/';
    expect(json(await handler(event)).output).toEqual(engineKim('so good'));
  });

  it('direct invocations: the body object itself, and castorini\'s {"body": "<json>"} test event', async () => {
    const a = await handler({ input: 'this is very good' });
    const b = await handler({ body: JSON.stringify({ input: 'this is very good' }) });
    expect(a.statusCode).toBe(200);
    expect(json(a).output).toEqual(engineKim('this is very good'));
    expect(json(b).output).toEqual(json(a).output);
    const sm = await handler({ sent1: 'how are glacier caves formed', sent2: 'the ice facade' });
    expect(json(sm).score[0]).toHaveLength(2);
  });

  it('cold_start is true only on the first invocation; warm ones reuse INIT state', async () => {
    const fresh = await createHandler(testConfig({ TINYCNN_MODEL: 'sm' }), { log: () => {}, openStore: (_m, _c, dim) => fakeStore(dim) });
    const first = json(await fresh({ sent1: 'a b', sent2: 'c d' }));
    const second = json(await fresh({ sent1: 'a b', sent2: 'c d' }));
    expect(first.cold_start).toBe(true);
    expect(second.cold_start).toBe(false);
    expect(second.t_load_model).toBe(0);
    expect(second.score).toEqual(first.score);
  });
});

describe('API', () => {
  it('batch {"inputs": [...]} answers "results" equal to single requests', async () => {
    const texts = ['a gripping , funny film', 'dull', 'zzunknownword and more words here'];
    const response = await handler(v2('POST', '/kim', { inputs: texts }));
    expect(response.statusCode).toBe(200);
    const body = json(response);
    expect(body.results).toHaveLength(3);
    for (let i = 0; i < texts.length; i++) {
      expect(body.results[i].input).toBe(texts[i]);
      const single = engineKim(texts[i]);
      body.results[i].output.forEach((v: number, j: number) => expect(v).toBeCloseTo(single[j], 5));
    }
    expect(body.results[2].unknown_tokens).toEqual(['zzunknownword']);
    expect(typeof body.t_inference).toBe('number');
  });

  it('batch {"pairs": [...]} takes objects and [question, answer] lists', async () => {
    const one = json(await handler(v2('POST', '/sm', { sent1: 'who wrote it', sent2: 'she wrote it' })));
    const body = json(await handler(v2('POST', '/sm', { pairs: [{ sent1: 'who wrote it', sent2: 'she wrote it' }, ['what', 'zzthat']] })));
    expect(body.results).toHaveLength(2);
    body.results[0].score[0].forEach((v: number, j: number) => expect(v).toBeCloseTo(one.score[0][j], 5));
    expect(body.results[1].unknown_tokens).toEqual({ sent1: [], sent2: ['zzthat'] });
  });

  it('tolerates a UTF-8 byte-order mark before the JSON', async () => {
    const response = await handler(v2('POST', '/kim', `\ufeff${JSON.stringify({ input: 'a fine film' })}`));
    expect(json(response).output).toEqual(engineKim('a fine film'));
  });

  it('POST / picks the model from the body when both are served', async () => {
    expect(json(await handler(v2('POST', '/', { input: 'good' }))).output).toHaveLength(2);
    expect(json(await handler(v2('POST', '/', { sent1: 'a', sent2: 'b' }))).score[0]).toHaveLength(2);
  });

  it('with TINYCNN_MODEL=kim, / is Kim and /sm is 404', async () => {
    const kim = await createHandler(testConfig({ TINYCNN_MODEL: 'kim' }), { log: () => {}, openStore: (_m, _c, dim) => fakeStore(dim) });
    expect(json(await kim(v2('POST', '/', { input: 'good' }))).output).toHaveLength(2);
    const sm = await kim(v2('POST', '/sm', { sent1: 'a', sent2: 'b' }));
    expect(sm.statusCode).toBe(404);
    expect(json(sm).error.code).toBe('NOT_FOUND');
  });

  it('OPTIONS is a CORS preflight; GET /health describes the function', async () => {
    const pre = await handler(v2('OPTIONS', '/kim'));
    expect(pre.statusCode).toBe(204);
    expect(pre.headers['Access-Control-Allow-Origin']).toBe('*');
    expect(pre.headers['Access-Control-Allow-Methods']).toContain('POST');
    const health = await handler(v2('GET', '/health'));
    expect(health.statusCode).toBe(200);
    expect(json(health)).toMatchObject({ status: 'ok', backend: handler.runtime.flavour, limits: { max_batch: 32, max_tokens: 512 } });
    expect(Object.keys(json(health).models)).toEqual(['kim', 'sm']);
    expect(json(health).models).toMatchObject({ kim: { title: 'Kim CNN' }, sm: { title: 'SM CNN' } }); // the demo page's names
  });
});

describe('engine integration', () => {
  it('a multichannel Kim CNN gets the same word vectors in both channels', async () => {
    const config = testConfig({ TINYCNN_MODEL: 'kim', TINYCNN_KIM_WEIGHTS: 'test/golden/kim-multichannel.safetensors' });
    const multi = await createHandler(config, { log: () => {}, openStore: (_m, _c, dim) => fakeStore(dim) });
    const served = multi.runtime.models.get('kim')!;
    expect(served.model.spec.kind === 'kim' && served.model.spec.channels).toBe(2);
    const tokens = ['a', 'fine', 'film'];
    const rows = new Float32Array(3 * 300);
    tokens.forEach((t, i) => rows.set(vectorOf(t, 300), i * 300));
    const data = new Float32Array(2 * rows.length); // (channels, tokens, dim)
    data.set(rows, 0);
    data.set(rows, rows.length);
    const expected = Array.from(served.model.logits({ x: { data, tokens: 3 } }));
    expect(json(await multi({ input: 'a fine film' })).output).toEqual(expected);
    const batch = json(await multi({ inputs: ['a fine film', 'a fine film , really'] }));
    expect(batch.results[0].output).toEqual(expected);
  });

  it('takes a precompiled WebAssembly.Module for the kernels', async () => {
    const precompiled = await createHandler(testConfig(), { log: () => {}, wasmModule: kernelModule('wasm-simd'), openStore: (_m, _c, dim) => fakeStore(dim) });
    const embedded = await createHandler(testConfig({ TINYCNN_BACKEND: 'wasm-simd' }), { log: () => {}, openStore: (_m, _c, dim) => fakeStore(dim) });
    expect(precompiled.runtime.flavour).toBe('wasm-simd');
    for (const event of [{ input: 'a fine film' }, { sent1: 'who wrote it', sent2: 'she did' }]) {
      const a = json(await precompiled(event));
      const b = json(await embedded(event));
      expect(a.output ?? a.score).toEqual(b.output ?? b.score);
    }
  });

  it('works with a store that returns its own matrix instead of filling the buffer it is given', async () => {
    const own = (dim: number) => {
      const inner = fakeStore(dim);
      return { ...inner, embed: (tokens: readonly string[]) => inner.embed(tokens) };
    };
    const h = await createHandler(testConfig(), { log: () => {}, openStore: (_m, _c, dim) => own(dim) });
    expect(json(await h({ inputs: ['a gripping , funny film', 'dull'] })).results[0].output).toEqual(engineKim('a gripping , funny film'));
  });
});
