/**
 * tinycnn itself, as users run it: the built package's Node entry (build/src/node/index.js), one
 * model per backend flavour, timed through the allocation-free Model.forward().
 *
 * Runtimes: tinycnn-js, tinycnn-wasm-simd, tinycnn-wasm-relaxed with the convolution
 * a user gets by default (conv 'auto': Winograd unless TINYCNN_CONV says otherwise),
 * and the same three with direct convolution (tinycnn-<flavour>-direct) — each offered
 * only when the engine really runs that flavour (createBackend may fall back). This
 * process also measures the machine's WebAssembly SIMD peak (bench/simd-peak.mjs).
 */
import v8 from 'node:v8';
import { PEAK_LOOPS, compilePeak, measurePeak } from '../simd-peak.mjs';

// Relaxed SIMD is behind a flag on Node 20 (on by default from Node 22). Turn it
// on before anything is compiled, so the engine's own feature detection sees it.
const relaxedLoop = PEAK_LOOPS.find((loop) => loop.relaxed);
let relaxedFlag = false;
if ((await compilePeak(relaxedLoop)) === undefined) {
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  relaxedFlag = true;
}
/** The SIMD peak loops this runtime can run. */
const peakLoops = (await Promise.all(PEAK_LOOPS.map(compilePeak))).filter((p) => p !== undefined);
const relaxedSupported = peakLoops.some((p) => p.name === relaxedLoop.name);
for (const loop of peakLoops) measurePeak(loop, 50); // warm-up: let V8 tier each loop up to TurboFan now

const engine = await import('../../build/src/node/index.js');
const FLAVOURS = ['js', 'wasm-simd', 'wasm-relaxed'];

/** What loadModel(..., { backend: 'auto' }) would pick here. */
function autoFlavour() {
  try {
    return engine.createBackend({ backend: 'auto' }).flavour;
  } catch (error) {
    return `error: ${error instanceof Error ? error.message : error}`;
  }
}

/** @param {{ weights: { kim: string, sm: string } }} ctx */
export async function open({ weights }) {
  /** runtime -> { kim: Model, sm: Model } */
  const models = new Map();
  /** runtime -> the convolution algorithm its models run */
  const convs = {};
  const runtimes = [];
  const unavailable = {};
  for (const flavour of FLAVOURS) {
    for (const conv of ['auto', 'direct']) {
      const runtime = `tinycnn-${flavour}${conv === 'direct' ? '-direct' : ''}`;
      try {
        // verify: true re-runs each file's parity certificate on this backend.
        const kim = engine.loadModel(weights.kim, { backend: flavour, conv, verify: true });
        const sm = engine.loadModel(weights.sm, { backend: flavour, conv, verify: true });
        if (kim.flavour !== flavour) {
          unavailable[runtime] = `createBackend('${flavour}') ran ${kim.flavour}`;
          continue;
        }
        models.set(runtime, { kim, sm });
        runtimes.push(runtime);
        convs[runtime] = kim.conv;
      } catch (error) {
        unavailable[runtime] = String(error instanceof Error ? error.message : error).split('\n')[0];
      }
    }
  }
  const info = {
    relaxed_simd: !relaxedSupported ? 'unsupported' : relaxedFlag ? 'behind --experimental-wasm-relaxed-simd (set by the bench)' : 'on by default',
    flavours: [...new Set([...models.values()].map(({ kim }) => kim.flavour))],
    convs,
    auto_flavour: autoFlavour(),
  };

  return {
    runtimes,
    unavailable,
    info,
    /** The timed call is one Model.forward() over the case's whole batch. */
    async prepare(runtime, c) {
      const model = models.get(runtime)[c.model];
      const inputs =
        c.model === 'kim'
          ? c.x.map((data) => ({ x: { data, tokens: c.tokens } }))
          : c.q.map((q, b) => ({
              q: { data: q, tokens: c.qTokens },
              a: { data: c.a[b], tokens: c.aTokens },
              ...(c.extFeatures > 0 ? { ext: c.ext[b] } : {}),
            }));
      const out = new Float32Array(c.batch * model.spec.classes); // (batch, classes)
      const run = () => model.forward(out, inputs);
      return {
        run,
        logits: () => {
          run();
          return out.slice();
        },
      };
    },
    /** GFLOP/s of each register-only f32x4 multiply-add loop (bench/simd-peak.mjs). */
    async peak(ms) {
      const peaks = {};
      for (const loop of peakLoops) peaks[loop.name] = measurePeak(loop, ms);
      return peaks;
    },
  };
}
