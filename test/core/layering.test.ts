// The import graph's layering, read from the sources: kernels at the ground floor, the
// library below its hosts, no host reaching into another, model kinds only in their folders.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
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
