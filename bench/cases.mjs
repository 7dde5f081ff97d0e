/**
 * The benchmark cases, their FLOP counts, and their inputs.
 *
 * Every contender (each in its own process, PyTorch included) reads the very same
 * input floats from one binary file written here, so parity can be checked and
 * nobody's random-number generator matters:
 *   inputs.f32      all cases' floats, little-endian f32, back to back
 *   inputs.json     the manifest: per case its shape and the float offset of each part
 *
 * The cases, FLOP counts and floats themselves are defined in src/bench/cases.ts (the
 * Lambda bench handler times the same ones); re-exported here from build/.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importBuilt } from './built.mjs';

/** @typedef {import('../src/bench/cases.js').BenchCase} Case */

export const { BATCHES, defineCases, flopsOf, caseInputs } = await importBuilt('bench/cases.js');

/**
 * Writes every case's inputs: word vectors uniform in [-0.25, 0.25) (castorini's
 * range for unknown words), seeded per case. Returns the manifest's path.
 * @param {Case[]} cases
 * @param {{ kim: import('../build/src/index.js').KimSpec, sm: import('../build/src/index.js').SmSpec }} specs
 */
export function writeInputs(cases, specs) {
  const dir = mkdtempSync(join(tmpdir(), 'tinycnn-bench-'));
  const chunks = [];
  let offset = 0;
  const place = (part) => {
    chunks.push(part);
    offset += part.length;
    return offset - part.length;
  };
  const entries = cases.map((c, index) => {
    if (c.model === 'kim') {
      const { channels, dim } = specs.kim;
      const { x } = caseInputs(c, index, specs.kim);
      return { ...c, channels, dim, x: x.map(place) };
    }
    const { dim, extFeatures } = specs.sm;
    const { q, a, ext } = caseInputs(c, index, specs.sm);
    const offsets = { q: [], a: [], ext: [] };
    for (let b = 0; b < c.batch; b++) {
      offsets.q.push(place(q[b]));
      offsets.a.push(place(a[b]));
      if (extFeatures > 0) offsets.ext.push(place(ext[b]));
    }
    return { ...c, dim, extFeatures, ...offsets };
  });
  const all = new Float32Array(offset);
  let at = 0;
  for (const part of chunks) {
    all.set(part, at);
    at += part.length;
  }
  writeFileSync(join(dir, 'inputs.f32'), new Uint8Array(all.buffer));
  const manifest = join(dir, 'inputs.json');
  writeFileSync(manifest, JSON.stringify({ data: join(dir, 'inputs.f32'), cases: entries }, null, 1));
  return manifest;
}

/**
 * Reads the manifest and gives each case its inputs as Float32Array views:
 *   kim: x[b]  (channels, tokens, dim)
 *   sm:  q[b]  (qTokens, dim),  a[b]  (aTokens, dim),  ext[b]  (extFeatures) when the model has them
 * @param {string} manifestPath
 * @returns {Map<string, any>} case name -> case with `x` or `q`/`a`/`ext` as Float32Arrays
 */
export function readInputs(manifestPath) {
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  const bytes = readFileSync(manifest.data);
  // A fresh copy: Node may hand back a Buffer at an offset that is not 4-aligned.
  const all = new Float32Array(new Uint8Array(bytes).buffer);
  const cases = new Map();
  for (const c of manifest.cases) {
    if (c.model === 'kim') {
      const size = c.channels * c.tokens * c.dim;
      cases.set(c.name, { ...c, x: c.x.map((o) => all.subarray(o, o + size)) });
    } else {
      cases.set(c.name, {
        ...c,
        q: c.q.map((o) => all.subarray(o, o + c.qTokens * c.dim)),
        a: c.a.map((o) => all.subarray(o, o + c.aTokens * c.dim)),
        ext: c.ext.map((o) => all.subarray(o, o + c.extFeatures)),
      });
    }
  }
  return cases;
}
