// The import graph's layering, read from the sources: kernels at the ground floor, the
// library below its hosts, no host reaching into another, model kinds only in their folders.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/paths.js';

/** Every .ts file under `dir` (relative to the repo), with the module paths it imports, resolved from the repo root. */
function importsUnder(dir: string): { file: string; imports: string[] }[] {
  const out: { file: string; imports: string[] }[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'generated') walk(path);
      } else if (entry.name.endsWith('.ts')) {
        const text = readFileSync(path, 'utf8');
        const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/g)].map((m) => m[1]);
        const imports = specifiers.filter((s) => s.startsWith('.')).map((s) => relative(repoRoot, join(at, s)));
        out.push({ file: relative(repoRoot, path), imports });
      }
    }
  };
  walk(join(repoRoot, dir));
  return out;
}

/** Every `node:` module a .ts file imports (static imports and exports). */
function nodeImportsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'(node:[^']+)'/g)].map((m) => m[1]);
}

/**
 * The files reachable from `entries` by relative value imports (what a bundle loads), each
 * with the `node:` modules it imports.
 */
function graphFrom(entries: string[]): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const todo = [...entries];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.set(file, nodeImportsOf(file));
    const text = readFileSync(join(repoRoot, file), 'utf8');
    // `import type` / `export type` are erased from the output: a bundle never loads them
    for (const [, spec] of text.matchAll(/(?:^|\n)\s*(?:import|export)\b(?!\s+type\b)[^'"]*?from\s+'(\.[^']+)'/g)) {
      todo.push(relative(repoRoot, join(repoRoot, dirname(file), spec)).replace(/\.js$/, '.ts'));
    }
  }
  return seen;
}

/** The imports of files under `from` that land under any of `forbidden`, as 'file -> import'. */
function offending(from: string, forbidden: string[]): string[] {
  return importsUnder(from).flatMap(({ file, imports }) =>
    imports.filter((i) => forbidden.some((f) => i === f || i.startsWith(`${f}/`))).map((i) => `${file} -> ${i}`),
  );
}

describe('layering', () => {
  it('finds the imports it checks (the reader works)', () => {
    expect(importsUnder('src/pipeline').find((f) => f.file === 'src/pipeline/load.ts')?.imports).toContain('src/model/model.js');
  });

  it('the engine imports no node: module: everything the isomorphic entry and the shared handler reach', () => {
    // src/index.ts is the package's browser / workerd / default entry; src/lambda/handler.ts and
    // src/worker/ are what a Worker runs. File access lives in src/node/ and src/lambda/node-files.ts.
    const graph = graphFrom(['src/index.ts', 'src/lambda/handler.ts', 'src/worker/index.ts']);
    expect(graph.has('src/vectors/embedded.ts') && graph.has('src/pipeline/load.ts') && graph.has('src/lambda/runtime.ts')).toBe(true);
    expect([...graph].filter(([, node]) => node.length > 0).map(([file, node]) => `${file} -> ${node.join(', ')}`)).toEqual([]);
    // ... and the reader does see node: imports where they are (the adapter)
    expect(nodeImportsOf('src/node/files.ts')).toContain('node:fs');
  });

  it('model, backend, pipeline, text, safetensors, eval and kernels import no node: module, anywhere', () => {
    const offenders = ['src/model', 'src/backend', 'src/pipeline', 'src/text', 'src/safetensors', 'src/eval', 'kernels']
      .flatMap((dir) => importsUnder(dir))
      .filter(({ file }) => nodeImportsOf(file).length > 0)
      .map(({ file }) => file);
    expect(offenders).toEqual([]);
  });

  it('kernels/ imports nothing from src/', () => {
    expect(offending('kernels', ['src'])).toEqual([]);
  });

  it('the library (model, backend, pipeline, text, vectors, safetensors) imports no host', () => {
    for (const layer of ['src/model', 'src/backend', 'src/pipeline', 'src/text', 'src/vectors', 'src/safetensors']) {
      expect(offending(layer, ['src/lambda', 'src/server', 'src/cli', 'src/web', 'src/bench'])).toEqual([]);
    }
  });

  it('the Lambda adapter imports neither the CLI nor the server; the CLI reaches Lambda only for its configuration', () => {
    expect(offending('src/lambda', ['src/cli', 'src/server'])).toEqual([]);
    const cliIntoLambda = offending('src/cli', ['src/lambda']).filter((edge) => !edge.endsWith('-> src/lambda/config.js'));
    expect(cliIntoLambda).toEqual([]);
  });

  it('the model kinds are reached through the registry: only model/ names kim/ or sm/, and the pipelines do not', () => {
    const outside = ['src/pipeline', 'src/lambda', 'src/cli', 'src/server', 'src/backend'].flatMap((dir) => offending(dir, ['src/model/kim', 'src/model/sm']));
    expect(outside).toEqual([]);
  });
});
