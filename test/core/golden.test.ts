// Golden tests: every fixture in test/golden/ (inputs as recipes, logits computed by PyTorch 1.13 by
// converters/make_golden.py, regenerated in CI) must be reproduced on every backend this runtime has,
// with both convolution algorithms (direct and Winograd), within 1e-4 * (1 + |ref|). The largest error
// seen is printed: it should be far below the bound.
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConvAlgorithm } from '../../src/backend/backend.js';
import { createBackend, type BackendChoice } from '../../src/backend/select.js';
import { TOLERANCE } from '../../src/model/certificate.js';
import { loadModel } from '../../src/node/files.js';
import { readFixtures, repoRoot as root } from '../helpers/golden.js';
import { inputFromRecipes } from '../helpers/recipe.js';

setFlagsFromString('--experimental-wasm-relaxed-simd'); // Node 20: let the relaxed flavour run too

const fixtures = readFixtures();

const FLAVOURS: BackendChoice[] = ['js', 'wasm-simd', 'wasm-relaxed'];
const CONVS: ConvAlgorithm[] = ['direct', 'winograd'];
const worst: Record<string, number> = {};

it('has fixtures to check', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(4);
});

for (const flavour of FLAVOURS)
  for (const conv of CONVS) {
    describe(`golden fixtures on ${flavour}, ${conv} convolution`, () => {
      const backend = createBackend({ backend: flavour, conv, log: () => {} });
      it(`runs on ${flavour} itself, not a fallback, with ${conv} convolution`, () => {
        expect(backend.flavour).toBe(flavour);
        expect(backend.conv).toBe(conv);
      });
      for (const fixture of fixtures) {
        it(fixture.name, () => {
          const model = loadModel(join(root, fixture.model), { backend }); // verify on: the certificate passes too
          const built = fixture.cases.map((c) => inputFromRecipes(c.input));
          fixture.cases.forEach((c, i) => expect(built[i].hashes, `${c.label}: rebuilt input`).toEqual(c.input_sha256));
          const logits = fixture.batch ? model.logitsBatch(built.map((b) => b.input)) : built.map((b) => model.logits(b.input));
          fixture.cases.forEach((c, i) => {
            expect(logits[i]).toHaveLength(c.logits.length);
            c.logits.forEach((ref, j) => {
              const error = Math.abs(logits[i][j] - ref) / (1 + Math.abs(ref));
              const key = `${flavour} ${conv}${fixture.name.includes('hostile') ? ' (hostile inputs, scale up to 4096)' : ''}`;
              worst[key] = Math.max(worst[key] ?? 0, error);
              expect(error, `${c.label}, logit ${j}: ours ${logits[i][j]} vs PyTorch ${ref}`).toBeLessThanOrEqual(TOLERANCE);
            });
          });
        });
      }
    });
  }

afterAll(() => {
  for (const [flavour, error] of Object.entries(worst).sort()) {
    console.log(`golden: largest |ours - PyTorch| / (1 + |PyTorch|) on ${flavour}: ${error.toExponential(2)} (bound ${TOLERANCE})`);
  }
});
