/**
 * The Lambda configuration's choice of shipped model per route: TINYCNN_KIM_MODEL /
 * TINYCNN_SM_MODEL pick among the shipped models of that kind (src/pipeline/defaults.ts), and
 * explicit file settings still win.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/lambda/errors.js';
import { createHandler } from '../../src/lambda/handler.js';
import { readConfig } from '../../src/lambda/config.js';
import { pipeline } from '../../src/node/index.js';
import { json, v2 } from './helpers.js';

describe('TINYCNN_KIM_MODEL / TINYCNN_SM_MODEL', () => {
  it('default: /kim serves kim-sst2, /sm serves sm-trecqa', () => {
    const [kim, sm] = readConfig({}).models;
    expect(kim!.weights).toMatch(/weights\/kim-sst2\.safetensors$/);
    expect(kim!.vectors).toMatch(/weights\/kim-sst2\.tcv$/);
    expect(sm!.weights).toMatch(/weights\/sm-trecqa\.safetensors$/);
  });

  it('kim-sst1 moves the weights, vectors and table together; an explicit file still wins', () => {
    const [kim] = readConfig({ TINYCNN_MODEL: 'kim', TINYCNN_KIM_MODEL: 'kim-sst1' }).models;
    expect(kim).toMatchObject({ kind: 'kim', table: 'kim-sst1-vectors' });
    expect(kim!.weights).toMatch(/weights\/kim-sst1\.safetensors$/);
    expect(kim!.vectors).toMatch(/weights\/kim-sst1\.tcv$/);
    const [own] = readConfig({ TINYCNN_MODEL: 'kim', TINYCNN_KIM_MODEL: 'kim-sst1', TINYCNN_KIM_WEIGHTS: '/opt/mine.safetensors' }).models;
    expect(own!.weights).toBe('/opt/mine.safetensors');
    expect(own!.vectors).toMatch(/weights\/kim-sst1\.tcv$/);
  });

  it('a model of the other kind, or no such model, is a ConfigError naming the variable and the choices', () => {
    for (const [variable, value] of [
      ['TINYCNN_KIM_MODEL', 'sm'],
      ['TINYCNN_SM_MODEL', 'kim'],
      ['TINYCNN_KIM_MODEL', 'kim-sst3'],
    ] as const) {
      let error: unknown;
      try {
        readConfig({ [variable]: value });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(variable);
      expect((error as Error).message).toContain(`not "${value}"`);
      expect((error as Error).message).toMatch(variable === 'TINYCNN_SM_MODEL' ? /one of sm\b/ : /one of kim, kim-sst1\b/);
    }
  });

  it("the handler on kim-sst1 answers what the library's kim-sst1 pipeline answers, over five classes", async () => {
    const handler = await createHandler(readConfig({ TINYCNN_MODEL: 'kim', TINYCNN_KIM_MODEL: 'kim-sst1' }), { log: () => {} });
    const text = "I didn't like it at all, a dreadful and boring film!";
    const body = json(await handler(v2('POST', '/kim', { input: text })));
    const library = pipeline('sentiment-analysis', 'kim-sst1').classify(text);
    expect(body.probabilities).toHaveLength(5);
    expect(library.probabilities).toHaveLength(5);
    expect(body.label).toBe(library.label);
    expect(body.output).toEqual(library.logits);
  });
});
