/**
 * The engine bundles for any runtime: esbuild --platform=browser and --platform=neutral of the
 * public entry succeed with no `node:` module in them; the package's `exports` send a browser,
 * a neutral (default) and a workerd bundler to the isomorphic core and Node to its adapter; the
 * neutral bundle classifies from bytes exactly as the Node entry does from paths; and a Node
 * project that depends on tinycnn gets `pipeline('sentiment-analysis')` with no paths and
 * `tinycnn/lambda`'s createHandler.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline as nodePipeline } from '../../src/node/index.js';
import { SHIPPED_MODELS } from '../../src/pipeline/defaults.js';
import { repoRoot } from '../helpers/paths.js';

describe('bundling the public entry', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'tinycnn-bundle-'));
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(repoRoot, join(dir, 'node_modules', 'tinycnn'), 'dir'); // a project that depends on tinycnn
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Bundles `entry` (a file in the scratch project) and returns its output and the inputs it used, relative to the repo. */
  async function bundle(entry: string, platform: 'browser' | 'neutral' | 'node', conditions?: string[]) {
    const outfile = join(dir, `out-${platform}-${conditions?.join('-') ?? 'default'}.mjs`);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform,
      conditions,
      outfile,
      metafile: true,
      logLevel: 'silent',
      ...(platform === 'neutral' ? { mainFields: ['module', 'main'] } : {}),
    });
    const inputs = Object.keys((result.metafile as Metafile).inputs).map((p) => relative(repoRoot, join(process.cwd(), p)));
    return { code: readFileSync(outfile, 'utf8'), outfile, inputs };
  }

  for (const platform of ['browser', 'neutral'] as const) {
    it(`esbuild --platform=${platform} of src/index.ts succeeds, with no node: module`, async () => {
      const { code, inputs } = await bundle(join(repoRoot, 'src', 'index.ts'), platform);
      expect(code).not.toMatch(/from\s*["']node:|require\(["']node:|import\(["']node:/);
      expect(inputs).toContain('src/vectors/embedded.ts');
      expect(inputs.filter((p) => p.startsWith('src/node/') || p.includes('lambda/'))).toEqual([]);
      console.log(`esbuild --platform=${platform} src/index.ts: ${(code.length / 1024).toFixed(1)} KB unminified, ${inputs.length} inputs`);
    });
  }

  it("the package's exports: browser, neutral and workerd bundlers get the core, Node its adapter", async () => {
    const entry = join(dir, 'app.js');
    writeFileSync(entry, "import { pipeline, fetchPipeline } from 'tinycnn';\nexport { pipeline, fetchPipeline };\n");
    const core = 'build/src/index.js';
    const adapter = 'build/src/node/index.js';
    for (const [platform, conditions] of [
      ['browser', undefined],
      ['neutral', undefined],
      ['neutral', ['workerd', 'worker', 'browser']],
    ] as const) {
      const { inputs } = await bundle(entry, platform, conditions ? [...conditions] : undefined);
      expect(inputs).toContain(core);
      expect(inputs).not.toContain(adapter);
    }
    const { inputs } = await bundle(entry, 'node');
    expect(inputs).toContain(adapter);
  });

  it('the neutral bundle, run in Node, classifies from bytes exactly as the Node entry does from paths', async () => {
    const { outfile } = await bundle(join(repoRoot, 'src', 'index.ts'), 'neutral');
    const core = (await import(pathToFileURL(outfile).href)) as typeof import('../../src/index.js');
    const kim = SHIPPED_MODELS.kim;
    const classifier = core.pipeline('sentiment-analysis', {
      weights: new Uint8Array(readFileSync(join(repoRoot, kim.weights))),
      vectors: core.openEmbeddedStore(new Uint8Array(readFileSync(join(repoRoot, kim.vectors)))),
      backend: 'wasm-simd',
    });
    const reference = nodePipeline('sentiment-analysis', { backend: 'wasm-simd' });
    const texts = ['a gripping , funny and heartfelt film', 'dull , flat and far too long .', 'zxqvw'];
    expect(classifier.classify(texts)).toEqual(reference.classify(texts));
    expect(() => core.pipeline('sentiment-analysis', {} as never)).toThrow(expect.objectContaining({ code: 'ASSETS_REQUIRED' }));
  });

  it("a Node project: import { pipeline } from 'tinycnn' works with no paths; tinycnn/lambda gives createHandler", () => {
    const script = join(dir, 'use.mjs');
    writeFileSync(
      script,
      [
        "import { pipeline } from 'tinycnn';",
        "import { createHandler, readConfig } from 'tinycnn/lambda';",
        "const r = pipeline('sentiment-analysis').classify('a gripping , funny and heartfelt film');",
        "const handler = await createHandler(readConfig({ TINYCNN_MODEL: 'kim' }), { log: () => {} });",
        "const answer = JSON.parse((await handler({ input: 'so good' })).body);",
        'console.log(JSON.stringify({ label: r.label, handler: typeof createHandler, prediction: answer.label }));',
      ].join('\n'),
    );
    const run = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout.trim().split('\n').at(-1)!)).toEqual({ label: 'positive', handler: 'function', prediction: 'positive' });
  });
});
