/**
 * The Cloudflare Worker (worker/index.js, the shipped entry, and the same entry with each kernel
 * flavour fixed) in the real workerd runtime from npm, against the Lambda handler in this Node
 * process on the same flavour: every answer equal, logits bit for bit, refusals included. Also
 * the bundle's size against Workers' limit, and that the wasm came precompiled (workerd refuses
 * to compile it from bytes: a Worker that tried would have failed INIT).
 */
import * as v8 from 'node:v8';
v8.setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: before anything compiles the relaxed flavour
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBackend, type BackendChoice } from '../../src/backend/select.js';
import { readConfig } from '../../src/lambda/config.js';
import { createHandler, type Handler } from '../../src/lambda/handler.js';
import { repoRoot } from '../helpers/paths.js';
import { cases, comparable, logitsOf, probabilityGap, type Case } from './cases.js';
import { startWorkerd, type RunningWorkerd } from './workerd.js';

/** Workers' size limit: 64 MiB uncompressed on every plan since 2026-09-04 (developers.cloudflare.com/workers/platform/limits/). */
const WORKER_SIZE_LIMIT = 64 * 2 ** 20;

const FLAVOURS: BackendChoice[] = ['wasm-relaxed', 'wasm-simd', 'js'];

describe('the Worker in workerd answers exactly what Node answers', () => {
  let workerd: RunningWorkerd;
  const node = new Map<string, Handler>();

  beforeAll(async () => {
    workerd = await startWorkerd([
      { name: 'shipped', entry: join(repoRoot, 'worker', 'index.js') },
      ...FLAVOURS.map((flavour) => ({
        name: flavour.replace('wasm-', ''),
        entry: join(repoRoot, 'test', 'worker', 'entry-flavour.js'),
        define: { TINYCNN_TEST_BACKEND: JSON.stringify(flavour) },
      })),
    ]);
    for (const flavour of FLAVOURS) {
      node.set(flavour, await createHandler(readConfig({}), { backend: createBackend({ backend: flavour }), log: () => {} }));
    }
  }, 120_000);
  afterAll(async () => {
    await workerd?.close();
  });

  /** One request to a Worker, and the same as an HTTP API event to the Node handler. */
  async function both(worker: string, flavour: string, c: Case): Promise<{ worker: { status: number; body: string }; node: { status: number; body: string } }> {
    const response = await fetch(`${workerd.urls.get(worker)}${c.path}`, { method: c.method, body: c.body, headers: { 'content-type': 'application/json' } });
    const event = {
      version: '2.0',
      rawPath: c.path,
      requestContext: { http: { method: c.method, path: c.path }, stage: '$default' },
      headers: { 'content-type': 'application/json' },
      body: c.body ?? '',
      isBase64Encoded: false,
    };
    const answer = await node.get(flavour)!(event);
    return { worker: { status: response.status, body: await response.text() }, node: { status: answer.statusCode, body: answer.body } };
  }

  it('the shipped entry picks relaxed SIMD by itself (auto), from the precompiled modules', async () => {
    const health = (await (await fetch(`${workerd.urls.get('shipped')}/health`)).json()) as { backend: string; models: Record<string, { file: string }> };
    expect(health.backend).toBe('wasm-relaxed');
    expect(health.models.kim.file).toBe('kim-sst2.safetensors');
    expect(workerd.output()).toMatch(/tinycnn INIT backend=wasm-relaxed model=kim:kim-sst2\.safetensors\(static,2classes,certificate=ok/);
  });

  for (const [worker, flavour] of [['shipped', 'wasm-relaxed'], ...FLAVOURS.map((f) => [f.replace('wasm-', ''), f])] as const) {
    it(`${worker}: every answer equals Node's ${flavour} handler, logits bit for bit`, async () => {
      const all = cases(2);
      let logits = 0;
      let worstGap = 0;
      for (const c of all) {
        const { worker: w, node: n } = await both(worker, flavour, c);
        expect({ case: c, status: w.status }).toEqual({ case: c, status: n.status });
        const [wj, nj] = [comparable(w.body), comparable(n.body)];
        expect(wj.answer).toEqual(nj.answer); // logits included: float32 values, bit for bit
        const gap = probabilityGap(wj.probabilities, nj.probabilities);
        expect(gap).toBeLessThan(1e-15); // float64 softmax: Math.exp's last bit (see comparable())
        worstGap = Math.max(worstGap, gap);
        logits += logitsOf(wj.answer).length;
      }
      expect(logits).toBeGreaterThan(250);
      console.log(
        `workerd ${worker} (${flavour}): ${all.length} requests, ${logits} logits bit-identical to Node's; probabilities within ${worstGap.toExponential(1)} relative`,
      );
    }, 120_000);
  }

  it('the flavours agree with each other within the golden tolerance (they round differently)', async () => {
    const c: Case = { method: 'POST', path: '/kim', body: JSON.stringify({ input: 'a gripping , funny and heartfelt film' }) };
    const answers = await Promise.all(FLAVOURS.map(async (f) => logitsOf(comparable((await both(f.replace('wasm-', ''), f, c)).worker.body).answer)));
    for (const other of answers.slice(1)) other.forEach((v, i) => expect(Math.abs(v - answers[0][i]) / (1 + Math.abs(answers[0][i]))).toBeLessThan(1e-4));
  });

  it("fits Workers' size limit; reports the bundle", () => {
    const shipped = workerd.bundles.find((b) => b.name === 'shipped')!;
    const total = [...shipped.modules.values()].reduce((a, b) => a + b, 0);
    const gzip = [...shipped.modules.keys()].reduce((sum, name) => sum + gzipSync(readFileSync(join(shipped.dir, name))).length, 0);
    expect(total).toBeLessThan(WORKER_SIZE_LIMIT);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    console.log(
      `worker bundle: ${shipped.modules.size} modules, ${(total / 2 ** 20).toFixed(2)} MiB uncompressed (limit 64 MiB), ${(gzip / 2 ** 20).toFixed(2)} MiB gzipped; ` +
        [...shipped.modules].map(([n, b]) => `${n} ${kb(b)}`).join(', '),
    );
  });
});
